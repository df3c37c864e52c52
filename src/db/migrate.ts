import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from '../logger.ts';
import type { Db } from './database.ts';
import { migrations } from './migrations/index.ts';

/**
 * The schema our tables live in. Kysely's migrator, told no schema, takes a `kysely_migration` table in
 * ANY schema of the database as its own, then fails on ours ("relation kysely_migration_lock does not
 * exist") whenever another schema of the same database was migrated by Kysely (another app, another test).
 */
async function currentSchema(db: Db): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

export async function migrateToLatest(db: Db, logger: Logger): Promise<void> {
  const migrationTableSchema = await currentSchema(db);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    const log = result.status === 'Error' ? logger.error.bind(logger) : logger.info.bind(logger);
    log({ migration: result.migrationName, status: result.status }, 'migration');
  }
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
