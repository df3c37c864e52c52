import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createPostgresSchema } from '../helpers/app.ts';

const logger = pino({ level: 'silent' });
const open = (url: string) => openDatabase(loadConfig({ DATABASE_URL: url }).database, logger);

describe('Migrations on a PostgreSQL database shared with other schemas (found by the ops scenarios)', () => {
  const schemas: Array<Awaited<ReturnType<typeof createPostgresSchema>>> = [];
  const handles: DatabaseHandle[] = [];
  before(async () => {
    schemas.push(await createPostgresSchema(), await createPostgresSchema());
    handles.push(...schemas.map((schema) => open(schema.url)));
  });
  after(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await Promise.all(schemas.map((schema) => schema.drop()));
  });

  it('When another schema of the database already has Kysely migration tables, then a fresh schema still migrates', async () => {
    const [other, ours] = handles as [DatabaseHandle, DatabaseHandle];
    await migrateToLatest(other.db, logger);
    await migrateToLatest(ours.db, logger);
    const subjects = await ours.db.selectFrom('subject').selectAll().execute();
    assert.deepEqual(subjects, []);
  });

  it('When the migrations run again on a migrated schema, then nothing changes', async () => {
    await migrateToLatest(handles[1]!.db, logger);
  });
});
