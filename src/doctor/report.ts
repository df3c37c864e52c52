export type Status = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the diagnosis. `id` is stable (scripts match on it); `fix` is set on warn and fail. */
export interface CheckResult {
  id: string;
  status: Status;
  evidence: string;
  fix: string | null;
  durationMs: number | null;
}

/** The --json document. Its shape is versioned by `schema`; keys are always present (null when empty). */
export interface Report {
  schema: 'forum-api-doctor/1';
  url: string;
  origin: string;
  target: string | null;
  startedAt: string;
  durationMs: number;
  verdict: 'pass' | 'warn' | 'fail';
  counts: Record<Status, number>;
  checks: CheckResult[];
}

export const pass = (id: string, evidence: string, durationMs: number | null = null): CheckResult => ({ id, status: 'pass', evidence, fix: null, durationMs });
export const warn = (id: string, evidence: string, fix: string, durationMs: number | null = null): CheckResult => ({ id, status: 'warn', evidence, fix, durationMs });
export const fail = (id: string, evidence: string, fix: string, durationMs: number | null = null): CheckResult => ({ id, status: 'fail', evidence, fix, durationMs });
export const skip = (id: string, evidence: string): CheckResult => ({ id, status: 'skip', evidence, fix: null, durationMs: null });

export function buildReport(fields: { url: string; origin: string; target: string | null; startedAt: Date; checks: CheckResult[] }): Report {
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of fields.checks) counts[check.status] += 1;
  return {
    schema: 'forum-api-doctor/1',
    url: fields.url,
    origin: fields.origin,
    target: fields.target,
    startedAt: fields.startedAt.toISOString(),
    durationMs: Date.now() - fields.startedAt.getTime(),
    verdict: counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : 'pass',
    counts,
    checks: fields.checks,
  };
}

/** Colour only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

const colours: Record<Status, string> = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m', skip: '\x1b[2m' };
const reset = '\x1b[0m';

/** A table for people: one row per check, the fix on the line below a warn or fail. */
export function renderHuman(report: Report, options: { color: boolean }): string {
  const paint = (status: Status, text: string) => (options.color ? `${colours[status]}${text}${reset}` : text);
  const idWidth = Math.max(...report.checks.map((check) => check.id.length), 5) + 2;
  const indent = ' '.repeat(6 + idWidth);
  const header = `forum-api doctor: ${report.url}  (origin ${report.origin}${report.target ? `, target ${report.target}` : ''})`;
  const rows = report.checks.flatMap((check) => {
    const row = `${paint(check.status, check.status.toUpperCase().padEnd(4))}  ${check.id.padEnd(idWidth)}${check.evidence}`;
    return check.fix ? [row, `${indent}fix: ${check.fix}`] : [row];
  });
  const { counts } = report;
  const tally = `${counts.fail} failed, ${counts.warn} warning${counts.warn === 1 ? '' : 's'}, ${counts.pass} passed, ${counts.skip} skipped`;
  const verdict = `verdict: ${paint(report.verdict, report.verdict.toUpperCase())} (${tally}) in ${report.durationMs} ms`;
  return [header, '', ...rows, '', verdict, ''].join('\n');
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
