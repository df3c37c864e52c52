import type { Report, Target } from './report.ts';

/** The targets, as ratios to the Express ceiling measured in the same run on the same runtime. */
export function evaluateTargets(report: Report, runtime: string): Target[] {
  const rps = (name: string) => report.cases.find((entry) => entry.runtime === runtime && entry.name === name && !entry.skipped)?.rps;
  const p99 = (name: string) => report.cases.find((entry) => entry.runtime === runtime && entry.name === name && !entry.skipped)?.p99Ms;
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : undefined);
  const ceiling = rps('express ceiling');
  const subjects = rps('ours GET /ajax/subject/all (postgres)');
  const target = (name: string, actual: number | undefined, goal: string, check: (value: number) => boolean): Target => ({
    name,
    actual,
    goal,
    met: actual === undefined ? undefined : check(actual),
  });
  const coldPostgres = report.coldStarts.find((entry) => entry.runtime === runtime && entry.database === 'postgres');
  const memoryPostgres = report.memory.find((entry) => entry.runtime === runtime && entry.database === 'postgres');
  return [
    target('/ajax/subject/all (full stack, access log on) ÷ Express ceiling', ratio(subjects, ceiling), '≥ 0.75', (v) => v >= 0.75),
    target('/ajax/health/ ÷ Express ceiling', ratio(rps('ours GET /ajax/health/ (pglite)'), ceiling), '≥ 0.9', (v) => v >= 0.9),
    target(
      'protected one-row route cost ÷ public one-row route cost',
      ratio(rps('ours public one-row GET /ajax/subject/get (postgres)'), rps('ours protected one-row POST /ajax/account/ (postgres)')),
      '≤ 1.3',
      (v) => v <= 1.3,
    ),
    target(
      'subject/all with a token: cost ÷ without',
      ratio(subjects, rps('ours GET /ajax/subject/all with a valid token (postgres)')),
      '≤ 1.3',
      (v) => v <= 1.3,
    ),
    target('/ajax/board/list on PostgreSQL ÷ cached /ajax/subject/all', ratio(rps('ours GET /ajax/board/list?sid=free&page=1 (postgres)'), subjects), '≥ 0.5', (v) => v >= 0.5),
    target('/ajax/board/list p99 ms at 50 connections', p99('ours GET /ajax/board/list?sid=free&page=1 (postgres)'), '< 50', (v) => v < 50),
    target('cold start to first 200 on PostgreSQL, ms', coldPostgres?.subjectsMs, '≤ 1000', (v) => v <= 1000),
    target('RSS after load on PostgreSQL, MB', memoryPostgres?.afterLoadMb, '≤ 120', (v) => v <= 120),
  ];
}
