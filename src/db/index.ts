import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { DatabaseProbe } from './probe.ts';
import { seedEmbeddedDatabase } from './seed.ts';

export type { Db, DatabaseHandle } from './database.ts';
export { DatabaseProbe } from './probe.ts';

/** Opens the configured database, migrates and seeds it as configured, and starts its background probe. */
export async function prepareDatabase(config: Config['database'], logger: Logger): Promise<{ database: DatabaseHandle; probe: DatabaseProbe }> {
  const database = openDatabase(config, logger);
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
