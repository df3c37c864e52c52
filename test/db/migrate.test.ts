import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { createPostgresSchema } from '../helpers/app.ts';

const logger = pino({ level: 'silent' });

describe('Migrations on a PostgreSQL database shared by several schemas', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function migratedSchema(): Promise<DatabaseHandle> {
    const schema = await createPostgresSchema();
    const database = openDatabase(loadConfig({ DATABASE_URL: schema.url, LOG_LEVEL: 'silent' }).database, logger);
    cleanups.push(schema.drop, () => database.close());
    await migrateToLatest(database.db, logger);
    return database;
  }

  it("When another schema already holds Kysely's migration tables, then a fresh schema still gets its own and migrates", async () => {
    await migratedSchema();
    const second = await migratedSchema();
    const subjects = await second.db.selectFrom('subject').selectAll().execute();
    assert.deepEqual(subjects, []);
  });
});
