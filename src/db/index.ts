import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { StartupError } from '../startup-error.ts';
import { maskPostgresUrl, openDatabase, type DatabaseHandle } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { DatabaseProbe } from './probe.ts';
import { seedEmbeddedDatabase } from './seed.ts';

export type { Db, DatabaseHandle } from './database.ts';
export { DatabaseProbe } from './probe.ts';

/** The reason a connection failed, in a few words (a host name with two addresses fails with an AggregateError that has no message of its own). */
function causeOf(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: unknown[] };
  return message || errors?.map(causeOf).join('; ') || code || String(error);
}

/** Fails start-up with one line naming DATABASE_URL when the database cannot be reached, instead of a migration's stack trace. */
async function checkReachable(database: DatabaseHandle, config: Config['database']): Promise<void> {
  try {
    await sql`select 1`.execute(database.db);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw new StartupError(`cannot reach the database at DATABASE_URL=${maskPostgresUrl(config.url)}: ${causeOf(error)}`);
  }
}

/** Opens the configured database, migrates and seeds it as configured, and starts its background probe. */
export async function prepareDatabase(
  config: Config['database'],
  logger: Logger,
): Promise<{ database: DatabaseHandle; probe: DatabaseProbe }> {
  const database = openDatabase(config, logger);
  // Without migrations to run, a server may start while its database is away and answer 503 until it is back.
  if (database.kind === 'postgres' && config.migrateOnStart) await checkReachable(database, config);
  logger.info({ kind: database.kind, location: database.location }, 'database opened');
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db, logger);
    if (database.kind === 'pglite') await seedEmbeddedDatabase(database.db);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  const probe = new DatabaseProbe(database.db, logger, {
    intervalMs: config.probeIntervalMs,
    timeoutMs: config.connectTimeoutMs + config.statementTimeoutMs,
  });
  await probe.check();
  probe.start();
  return { database, probe };
}
