import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { pino } from 'pino';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';
import { seedEmbeddedDatabase } from '../../src/db/seed.ts';

/**
 * One embedded database, migrated and seeded as the server leaves a new one, saved as a data directory image
 * for the run (TEST_PGLITE_IMAGE): every in-memory PGlite the tests start then loads it instead of running
 * initdb, which is most of a new PGlite's start-up time. The migrations still run (and find nothing to do).
 */
export async function makePgliteImage(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'forum-pglite-image-'));
  const pglite = new PGlite();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  try {
    await migrateToLatest(db, pino({ level: 'silent' }));
    await seedEmbeddedDatabase(db);
    const image = await pglite.dumpDataDir('none');
    const path = join(dir, 'migrated.tar');
    await writeFile(path, Buffer.from(await image.arrayBuffer()));
    return { path, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await db.destroy();
  }
}
