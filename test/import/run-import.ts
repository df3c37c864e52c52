import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { ImportSummary } from '../../src/import/report.ts';
import { createPostgresSchema, type DatabaseKind } from '../helpers/app.ts';
import { runCommand } from '../helpers/run-command.ts';

const importCli = fileURLToPath(new URL('../../src/import/cli.ts', import.meta.url));

/** A target database the CLI (a separate process) and then the test app can open in turn. */
export interface ImportTarget {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** PGlite in a fresh directory (one process at a time), or a fresh schema of the local PostgreSQL. */
export async function importTarget(kind: DatabaseKind): Promise<ImportTarget> {
  if (kind === 'postgres') {
    const schema = await createPostgresSchema();
    return { env: { DATABASE_URL: schema.url }, drop: schema.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), 'forum-import-'));
  return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** `npm run import -- …` as an operator runs it, against the given target; the environment is only what is given. */
export function runImportCli(args: string[], target: ImportTarget) {
  return runCommand(process.execPath, [importCli, ...args], { PATH: process.env.PATH, NODE_ENV: 'test', ...target.env }, 120_000);
}

/** Runs the CLI with --json and answers its summary; the exit code must be `expectedCode`. */
export async function importSummary(args: string[], target: ImportTarget, expectedCode = 0): Promise<ImportSummary> {
  const result = await runImportCli([...args, '--json'], target);
  assert.equal(result.code, expectedCode, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return JSON.parse(result.stdout) as ImportSummary;
}

/** Opens the target in this process (migrated), runs `work`, and closes it again so the CLI can open it next. */
export async function withTargetDb<T>(target: ImportTarget, work: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...target.env });
  const logger = pino({ level: 'silent' });
  const database = openDatabase(config.database, logger);
  try {
    await migrateToLatest(database.db, logger);
    return await work(database.db);
  } finally {
    await database.close();
  }
}

/** How many rows each forum table holds: "nothing written" means these do not change. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['user', 'subject', 'board', 'recommend'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
