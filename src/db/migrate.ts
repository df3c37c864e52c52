import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from '../logger.ts';
import type { Db } from './database.ts';
import { migrations } from './migrations/index.ts';

export async function migrateToLatest(db: Db, logger: Logger): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: a second schema in the
  // same database (another deployment, a parallel test run) would make it skip creating its own.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
    // Kysely orders migrations applied in the same millisecond with localeCompare, which loads ICU's collation
    // (~7 MB that stays resident); the names are ASCII, and code-unit order is the order it applies them in.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  let { error, results = [] } = await migrator.migrateToLatest();
  // Kysely finds its tables by listing every table of every schema; a schema another client drops meanwhile
  // (another deployment's clean-up, a parallel test run) fails that listing with "schema … does not exist".
  // Nothing of ours was changed then: list again.
  for (let attempt = 1; attempt < 10 && droppedMeanwhile(error, schema); attempt++) {
    logger.info({ attempt }, 'migration: another schema was dropped while listing tables, listing again');
    ({ error, results = [] } = await migrator.migrateToLatest());
  }
  for (const result of results) {
    const log = result.status === 'Error' ? logger.error.bind(logger) : logger.info.bind(logger);
    log({ migration: result.migrationName, status: result.status }, 'migration');
  }
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * An error of Kysely's table listing about something another client dropped while it looked: a schema other
 * than ours (invalid_schema_name, 3F000), or a table or column pg_get_serial_sequence no longer finds
 * (42P01, 42703, raised by that function).
 */
function droppedMeanwhile(error: unknown, ours: string | undefined): boolean {
  if (!(error instanceof Error)) return false;
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  if (code === '3F000') return ours === undefined || !error.message.includes(`"${ours}"`);
  return (code === '42P01' || code === '42703') && routine === 'pg_get_serial_sequence';
}
