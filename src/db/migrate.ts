import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from '../logger.ts';
import type { Db } from './database.ts';
import { migrations } from './migrations/index.ts';

export async function migrateToLatest(db: Db, logger: Logger): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: a second schema in the
  // same database (another deployment, a parallel test run) would make it skip creating its own.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: rows[0]?.schema });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    const log = result.status === 'Error' ? logger.error.bind(logger) : logger.info.bind(logger);
    log({ migration: result.migrationName, status: result.status }, 'migration');
  }
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
