import { noteHeadings, type Findings, type Note, type NoteKind, type Problem, type TableTally } from './findings.ts';
import { describeSource, type SourceLocation } from './source.ts';
import { sourceTables, type SourceTable } from './source-rows.ts';

export type Outcome = 'imported' | 'nothing-new' | 'dry-run' | 'refused' | 'failed';

export interface ImportSummary {
  schema: 'forum-api-import/1';
  outcome: Outcome;
  source: string;
  target: string;
  dates: string[];
  tables: Record<SourceTable, TableTally>;
  placeholders: { user: number; subject: number };
  passwords: { toHash: number; hashed: number; withoutPassword: number; seconds: number; perSecond: number; concurrency: number };
  timings: { readSeconds: number; checkSeconds: number; writeSeconds: number; rowsWritten: number };
  sequences: { nextBno: number | null; nextRno: number | null } | null;
  notes: Note[];
  problems: Problem[];
  /** Why the source could not be read or the write failed (outcome "failed"). */
  error?: string;
}

export function newSummary(options: { source: SourceLocation; hashConcurrency: number }, target: string, findings: Findings): ImportSummary {
  return {
    schema: 'forum-api-import/1',
    outcome: 'failed',
    source: describeSource(options.source),
    target,
    dates: [],
    tables: findings.tables,
    placeholders: findings.placeholders,
    passwords: { toHash: 0, hashed: 0, withoutPassword: 0, seconds: 0, perSecond: 0, concurrency: options.hashConcurrency },
    timings: { readSeconds: 0, checkSeconds: 0, writeSeconds: 0, rowsWritten: 0 },
    sequences: null,
    notes: findings.notes,
    problems: findings.problems,
  };
}

/** How many notes of one kind the text lists; --json always has them all. */
const listedPerKind = 20;

const rate = (count: number, seconds: number) => (seconds > 0 ? `${(count / seconds).toFixed(count / seconds >= 100 ? 0 : 1)}/s` : '—');
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function tableLines(summary: ImportSummary): string[] {
  const lines = [`${'table'.padEnd(10)} ${'read'.padStart(7)} ${summary.outcome === 'dry-run' ? ' would write' : '     written'} ${'skipped'.padStart(8)}`];
  for (const table of sourceTables) {
    const { read, written, skipped } = summary.tables[table];
    const reasons = Object.entries(skipped);
    const why = reasons.length > 0 ? `  (${reasons.map(([reason, count]) => `${count} ${reason}`).join(', ')})` : '';
    lines.push(`${table.padEnd(10)} ${String(read).padStart(7)} ${String(written).padStart(12)} ${String(sum(reasons.map(([, count]) => count))).padStart(8)}${why}`);
  }
  const { user, subject } = summary.placeholders;
  if (user + subject > 0) lines.push(`placeholders: ${user} user(s), ${subject} subject(s) (see below)`);
  return lines;
}

function measureLines(summary: ImportSummary): string[] {
  const { passwords, timings } = summary;
  const read = sum(sourceTables.map((table) => summary.tables[table].read));
  const lines = [`read ${read} rows in ${timings.readSeconds.toFixed(2)} s (${rate(read, timings.readSeconds)}), in one consistent snapshot`];
  if (timings.checkSeconds > 0) lines.push(`checked and sanitized them against the target in ${timings.checkSeconds.toFixed(2)} s (${rate(read, timings.checkSeconds)})`);
  if (passwords.hashed > 0) {
    lines.push(`passwords: ${passwords.hashed} hashed with scrypt in ${passwords.seconds.toFixed(2)} s (${rate(passwords.hashed, passwords.seconds)}, ${passwords.concurrency} at a time)`);
  } else if (passwords.toHash > 0) lines.push(`passwords: ${passwords.toHash} to hash with scrypt (never copied as they are)`);
  if (passwords.withoutPassword > 0) lines.push(`accounts without a password (OAuth-only or NULL pw): ${passwords.withoutPassword}`);
  if (summary.outcome === 'imported') {
    lines.push(`wrote ${timings.rowsWritten} rows in ${timings.writeSeconds.toFixed(2)} s (${rate(timings.rowsWritten, timings.writeSeconds)}), in one transaction`);
    lines.push(`next bno ${summary.sequences?.nextBno ?? 1}, next rno ${summary.sequences?.nextRno ?? 1}`);
  }
  return lines;
}

function noteLines(notes: Note[]): string[] {
  const lines: string[] = [];
  for (const kind of Object.keys(noteHeadings) as NoteKind[]) {
    const ofKind = notes.filter((note) => note.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push('', `${noteHeadings[kind]}: ${ofKind.length}`);
    for (const note of ofKind.slice(0, listedPerKind)) lines.push(`  ${note.row}: ${note.detail}`);
    if (ofKind.length > listedPerKind) lines.push(`  … and ${ofKind.length - listedPerKind} more (--json lists every one)`);
  }
  return lines;
}

function verdict(summary: ImportSummary): string[] {
  const toWrite = sum(sourceTables.map((table) => summary.tables[table].written)) + summary.placeholders.user + summary.placeholders.subject;
  switch (summary.outcome) {
    case 'imported':
      return [`Imported: ${summary.timings.rowsWritten} rows written.`];
    case 'nothing-new':
      return ['Nothing new to import: every importable row is already in the target. Nothing was written.'];
    case 'dry-run':
      return [`Dry run: ${toWrite} rows would be written. Nothing was written.`];
    case 'refused':
      return [
        `Refused: ${summary.problems.length} source row(s) cannot be imported as they are. Nothing was written.`,
        'Fix them in MySQL (or in a copy of it) and run again:',
        ...summary.problems.map((problem) => `  ${problem.row}: ${problem.message}`),
      ];
    case 'failed':
      return [`Failed: ${summary.error ?? 'unknown error'}`, 'Nothing was written.'];
  }
}

export function renderText(summary: ImportSummary): string {
  const lines = [`forum-api import: ${summary.source} → ${summary.target}`, ...summary.dates.map((line) => `  ${line}`)];
  if (summary.outcome !== 'failed' || sum(sourceTables.map((table) => summary.tables[table].read)) > 0) {
    lines.push('', ...tableLines(summary), '', ...measureLines(summary));
    if (summary.outcome !== 'refused') lines.push(...noteLines(summary.notes));
  }
  lines.push('', ...verdict(summary));
  return `${lines.join('\n')}\n`;
}

export const renderJson = (summary: ImportSummary): string => `${JSON.stringify(summary, null, 2)}\n`;
