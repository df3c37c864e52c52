import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Logger } from '../logger.ts';
import { withoutRefusedControls } from './controls.ts';
import { Findings } from './findings.ts';
import { hashPasswords } from './hashing.ts';
import type { DateReaders } from './plan-boards.ts';
import { makePlan, type ImportPlan } from './plan.ts';
import type { NewUser } from './plan-users.ts';
import type { Progress } from './progress.ts';
import { newSummary, type ImportSummary, type Outcome } from './report.ts';
import { openSource, SourceError, type Source, type SourceLocation } from './source.ts';
import { rowName, sourceKeys, sourceRowSchemas, sourceTables, type SourceRows } from './source-rows.ts';
import { readTargetState } from './target-state.ts';
import { WriteFailure, writePlan, type WritableUser } from './target-write.ts';
import { wallClockConverter } from './zoned-time.ts';

export interface ImportOptions {
  source: SourceLocation;
  /** The zone the original's DATETIME values were written in. */
  sourceTimeZone: string;
  dryRun: boolean;
  batchSize: number;
  hashConcurrency: number;
}

export interface ImportTarget {
  db: Db;
  /** Safe to print (no credentials). */
  location: string;
  logger: Logger;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function readSource(source: Source, progress: Progress, findings: Findings): Promise<SourceRows> {
  const rows: SourceRows = { user: [], subject: [], board: [], recommend: [] };
  for (const table of sourceTables) {
    progress.start(`reading ${table}`, await source.count(table));
    let position = 0;
    try {
      for await (const raw of source.rows(table)) {
        position += 1;
        findings.tables[table].read += 1;
        const parsed = sourceRowSchemas[table].safeParse(raw);
        if (parsed.success) {
          const { row, removed } = withoutRefusedControls(parsed.data);
          if (removed.length > 0) findings.note('controls-removed', rowName(table, (row as Record<string, unknown>)[sourceKeys[table]]), removed.join('; '));
          (rows[table] as unknown[]).push(row);
        } else findings.problem(rowName(table, raw[sourceKeys[table]] ?? `#${position}`), parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
        progress.tick();
      }
    } catch (error) {
      throw new SourceError(`reading table \`${table}\` failed after ${position} rows: ${(error as Error).message}`);
    }
  }
  progress.finish();
  return rows;
}

/** DATETIME is wall-clock text in the zone the original ran in; TIMESTAMP was read in UTC (source.ts). */
function dateReaders(source: Source, zone: string, summary: ImportSummary): DateReaders {
  const readers = Object.fromEntries(
    source.dateColumns.map(({ column, type }) => {
      const columnZone = type === 'timestamp' ? 'UTC' : zone;
      summary.dates.push(`board.${column}: ${type.toUpperCase()}, read as ${type === 'timestamp' ? 'an instant' : `wall-clock time in ${zone}`}`);
      return [column, wallClockConverter(columnZone)];
    }),
  );
  return { reg_date: readers.reg_date!, update_date: readers.update_date! };
}

async function hashed(plan: ImportPlan, withPassword: NewUser[], options: ImportOptions, progress: Progress, summary: ImportSummary): Promise<WritableUser[]> {
  progress.start('hashing passwords', withPassword.length);
  const { hashes, seconds: took } = await hashPasswords(withPassword.map((user) => user.password!), options.hashConcurrency, () => progress.tick());
  progress.finish();
  summary.passwords = { ...summary.passwords, hashed: hashes.length, seconds: took, perSecond: took > 0 ? hashes.length / took : 0 };
  const byId = new Map(withPassword.map((user, index) => [user.id, hashes[index]!]));
  return plan.users.map(({ password, ...user }) => ({ ...user, pw: password === null ? null : byId.get(user.id)! }));
}

function describeWriteError(error: unknown): string {
  const where = error instanceof WriteFailure ? ` writing ${error.rows}` : '';
  const { message, detail } = (error instanceof WriteFailure ? error.cause : error) as { message?: string; detail?: string };
  return `the target database failed${where}: ${message ?? String(error)}${detail ? ` (${detail})` : ''}. The transaction was rolled back: nothing was written.`;
}

/** Ends the import's transaction without committing anything (refused, dry run, nothing new). */
class RollBack extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome) {
    super(outcome);
    this.outcome = outcome;
  }
}

/**
 * The import's one transaction starts by bringing the schema up to date (so a dry run or a refusal leaves even
 * that untouched) and by locking the four tables against writes: a server left running keeps serving reads,
 * and its writes wait instead of taking numbers the import is about to use. Passwords are hashed inside the
 * transaction, after everything has been checked, so it may sit idle for minutes.
 */
async function openImportTransaction(trx: Db, logger: Logger): Promise<void> {
  await migrateToLatest(trx, logger);
  await sql`set local idle_in_transaction_session_timeout = 0`.execute(trx);
  await sql`lock table "user", subject, board, recommend in exclusive mode`.execute(trx);
}

const planSize = (plan: ImportPlan) =>
  plan.users.length + plan.subjects.inserts.length + plan.subjects.replacements.length + plan.boards.length + plan.recommends.length;

async function planAndWrite(trx: Db, rows: SourceRows, context: { options: ImportOptions; readers: DateReaders; findings: Findings; summary: ImportSummary; progress: Progress }) {
  const { options, readers, findings, summary, progress } = context;
  const checkStarted = performance.now();
  const state = await readTargetState(trx);
  progress.start('checking posts', rows.board.length);
  const plan = await makePlan(rows, state, readers, findings, () => progress.tick());
  progress.finish();
  summary.timings.checkSeconds = seconds(checkStarted);
  const withPassword = plan.users.filter((user) => user.password !== null);
  const withoutPassword = plan.users.length - withPassword.length - findings.placeholders.user;
  summary.passwords = { ...summary.passwords, toHash: withPassword.length, withoutPassword };
  const total = planSize(plan);
  if (findings.problems.length > 0) throw new RollBack('refused');
  if (options.dryRun) throw new RollBack('dry-run');
  if (total === 0) throw new RollBack('nothing-new');

  const users = await hashed(plan, withPassword, options, progress, summary);
  const writeStarted = performance.now();
  progress.start('writing', total);
  summary.sequences = await writePlan(trx, { ...plan, users }, options.batchSize, (count) => progress.tick(count));
  progress.finish();
  summary.timings = { ...summary.timings, writeSeconds: seconds(writeStarted), rowsWritten: total };
}

/** Reads the original's four tables, then checks, plans and (unless dry) writes everything in one transaction. */
export async function runImport(options: ImportOptions, target: ImportTarget, progress: Progress): Promise<ImportSummary> {
  const findings = new Findings();
  const summary = newSummary(options, target.location, findings);
  let rows: SourceRows;
  let readers: DateReaders;
  const readStarted = performance.now();
  try {
    const source = await openSource(options.source);
    try {
      readers = dateReaders(source, options.sourceTimeZone, summary);
      rows = await readSource(source, progress, findings);
    } finally {
      progress.finish();
      await source.close();
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    return { ...summary, outcome: 'failed', error: error.message };
  }
  summary.timings.readSeconds = seconds(readStarted);

  try {
    await target.db.transaction().execute(async (trx) => {
      await openImportTransaction(trx, target.logger);
      await planAndWrite(trx, rows, { options, readers, findings, summary, progress });
    });
  } catch (error) {
    progress.finish();
    if (error instanceof RollBack) return { ...summary, outcome: error.outcome };
    return { ...summary, outcome: 'failed', error: describeWriteError(error) };
  }
  return { ...summary, outcome: 'imported' };
}
