// `npm run import -- --from mysql://…`: moves the original forum's MySQL data into this server's database.
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { createLogger, flushLogger } from '../logger.ts';
import { parseOptions, usage, UsageError, type CliOptions } from './options.ts';
import { progressLine } from './progress.ts';
import { renderJson, renderText } from './report.ts';
import { runImport } from './run.ts';

// The pool's timeouts are tuned for request latency; an import's bulk statements need more room.
const importStatementTimeoutMs = 120_000;

async function importInto(options: CliOptions): Promise<number> {
  const config = loadConfig();
  // stdout carries the summary (or its JSON); the app's log lines go to stderr.
  // Only warnings unless LOG_LEVEL asks for more: the summary already says what happened.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', pino.destination({ dest: 2, sync: true }));
  const database = openDatabase({ ...config.database, statementTimeoutMs: Math.max(config.database.statementTimeoutMs, importStatementTimeoutMs) }, logger);
  try {
    const target = { db: database.db, location: `${database.location} (${database.kind})`, logger };
    const summary = await runImport(options, target, progressLine(process.stderr));
    process.stdout.write(options.json ? renderJson(summary) : renderText(summary));
    return ['imported', 'nothing-new', 'dry-run'].includes(summary.outcome) ? 0 : 1;
  } finally {
    await database.close();
    flushLogger(logger);
  }
}

/** 0: imported, nothing new, or a dry run that found no problem; 1: refused or failed, nothing written; 2: usage. */
async function main(argv: string[]): Promise<number> {
  let options: CliOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`forum-api import: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    return await importInto(options);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `${(error as Error).message ?? String(error)}`;
    process.stderr.write(`forum-api import: ${message}\nNothing was written.\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
