// `npm run migrate`: brings the configured database (embedded or DATABASE_URL) to the latest schema.
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger, flushLogger, logFormatFor } from '../logger.ts';
import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, logFormatFor(config.logFormat, config.production));
  const database = openDatabase(config.database, logger);
  try {
    await migrateToLatest(database.db, logger);
    logger.info({ database: database.location }, 'database is at the latest migration');
  } finally {
    await database.close();
    flushLogger(logger);
  }
} catch (error) {
  process.stderr.write(`forum-api migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 1 : 2);
}
