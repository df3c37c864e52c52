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

const pglite = new PGlite();
const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
try {
  await migrateToLatest(db, createLogger('warn'));
  await seedEmbeddedDatabase(db);
  await pglite.exec('checkpoint');
  const image = await pglite.dumpDataDir('gzip');
  mkdirSync(dirname(initialImagePath), { recursive: true });
  writeFileSync(initialImagePath, Buffer.from(await image.arrayBuffer()));
  process.stdout.write(`written: ${initialImagePath} (${Math.round(image.size / 1024)} KiB)\n`);
} finally {
  await db.destroy();
}
