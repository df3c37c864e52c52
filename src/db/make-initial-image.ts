// `npm run db:image`: rewrites db-image/initial.tar.gz, the data directory a first `npm start` unpacks instead
// of running initdb (src/db/initial-image.ts). Run it after adding a migration or changing the seed, or after
// upgrading PGlite; test/db/initial-image.test.ts fails until then.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { createLogger } from '../logger.ts';
import { initialImagePath } from './initial-image.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import { seedEmbeddedDatabase } from './seed.ts';

// wal_recycle=off: a segment the checkpoint no longer needs is deleted instead of renamed for reuse, so the image
// keeps only the new segment, 16 MB of which a few hundred bytes are written (about 1.6 MB less compressed).
const pglite = new PGlite({ startParams: [...PGlite.defaultStartParams, '-c', 'wal_recycle=off'] });
const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
try {
  await migrateToLatest(db, createLogger('warn'));
  await seedEmbeddedDatabase(db);
  await pglite.exec('checkpoint');
  // A new segment, and a checkpoint in it: the one that held the migrations and the seed is no longer needed.
  await pglite.query('select pg_switch_wal()');
  await pglite.exec('checkpoint');
  const image = await pglite.dumpDataDir('gzip');
  mkdirSync(dirname(initialImagePath), { recursive: true });
  writeFileSync(initialImagePath, Buffer.from(await image.arrayBuffer()));
  process.stdout.write(`written: ${initialImagePath} (${Math.round(image.size / 1024)} KiB)\n`);
} finally {
  await db.destroy();
}
