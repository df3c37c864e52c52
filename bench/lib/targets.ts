import { ourName, rowFloorName } from './cases.ts';
import { profiledRatios, type CaseResult, type ColdStart, type Memory, type Target } from './report.ts';

/** The cold start of a server on an empty data directory (a fresh clone's first `npm start`). */
export const firstStart = 'pglite (new, empty data dir)';

/**
 * The targets for one runtime, as ratios to figures measured in the same run on the same runtime:
 * from requests per second (the goal as stated) and, where it applies, from server CPU time per request.
 */
export function evaluateTargets(cases: CaseResult[], coldStarts: ColdStart[], memory: Memory[], runtime: string): Target[] {
  const measured = (name: string) => cases.find((entry) => entry.runtime === runtime && entry.name === name && !entry.skipped);
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? a / b : undefined);
  /** Throughput of `a` relative to `b`, by req/s and by CPU time (capacity is the inverse of cost). */
  const relative = (a: string, b: string) => ({
    actual: ratio(measured(a)?.rps, measured(b)?.rps),
    byCpu: ratio(measured(b)?.cpuUsPerRequest, measured(a)?.cpuUsPerRequest),
  });
  const target = (name: string, values: { actual: number | undefined; byCpu?: number | undefined }, goal: string, check: (value: number) => boolean): Target => ({
    runtime,
    name,
    ...values,
    goal,
    met: values.actual === undefined ? undefined : check(values.actual),
  });
  const invert = ({ actual, byCpu }: { actual: number | undefined; byCpu: number | undefined }) => ({
    actual: actual && 1 / actual,
    byCpu: byCpu && 1 / byCpu,
  });
  const ceiling = 'express ceiling';
  const subjects = ourName('GET /ajax/subject/all', 'postgres');
  const boardList = ourName('GET /ajax/board/list?sid=free&page=1', 'postgres');
  const coldPostgres = coldStarts.find((entry) => entry.runtime === runtime && entry.database === 'postgres');
  const coldFirst = coldStarts.find((entry) => entry.runtime === runtime && entry.database === firstStart);
  const memoryPostgres = memory.find((entry) => entry.runtime === runtime && entry.server === 'ours (postgres)');
  const memoryPglite = memory.find((entry) => entry.runtime === runtime && entry.server === 'ours (pglite)');
  const boardRead = ourName('GET /ajax/board/read?bno=2', 'postgres');
  const mix = measured(ourName('ALB-like mix (probes + traffic)', 'postgres'));
  const probesP99 = mix?.note === undefined ? undefined : Number(/p99 (\d+(?:\.\d+)?) ms/.exec(mix.note)?.[1]);
  return [
    target(profiledRatios[0]!, relative(subjects, ceiling), '≥ 0.75', (v) => v >= 0.75),
    target(profiledRatios[1]!, relative(ourName('GET /ajax/health/', 'postgres'), ceiling), '≥ 0.9', (v) => v >= 0.9),
    target(
      'protected one-row route cost ÷ public one-row route cost',
      invert(relative(ourName('protected one-row POST /ajax/account/', 'postgres'), ourName('public one-row GET /ajax/subject/get', 'postgres'))),
      '≤ 1.3',
      (v) => v <= 1.3,
    ),
    target(
      'subject/all with a token: cost ÷ without',
      invert(relative(ourName('GET /ajax/subject/all with a valid token', 'postgres'), subjects)),
      '≤ 1.3',
      (v) => v <= 1.3,
    ),
    // By CPU this leaves out PostgreSQL's own work (another process), so only the req/s figure decides.
    target('/ajax/board/list on PostgreSQL ÷ cached /ajax/subject/all', relative(boardList, subjects), '≥ 0.5', (v) => v >= 0.5),
    target('/ajax/board/list p99 ms at 50 connections', { actual: measured(boardList)?.p99Ms }, '< 50', (v) => v < 50),
    target('cold start to first 200 on PostgreSQL, ms', { actual: coldPostgres?.subjectsMs }, '≤ 1000', (v) => v <= 1000),
    target('RSS after load on PostgreSQL, MB', { actual: memoryPostgres?.afterLoadMb }, '≤ 120', (v) => v <= 120),
    // Issue 18: reading a post, the mix, one uncached row, the embedded database's memory, the first start.
    target('/ajax/board/read ÷ /ajax/board/list', relative(boardRead, boardList), '≥ 0.5', (v) => v >= 0.5),
    target('/ajax/board/read p99 ms at 50 connections', { actual: measured(boardRead)?.p99Ms }, '≤ 10', (v) => v <= 10),
    // 3 × the 0.09 of the run before issue 18 (bench/results history).
    target('ALB-like mix ÷ Express ceiling', relative(ourName('ALB-like mix (probes + traffic)', 'postgres'), ceiling), '≥ 0.27', (v) => v >= 0.27),
    target('health probes p99 ms beside the mix', { actual: probesP99 }, '≤ 5', (v) => v <= 5),
    target('one uncached row (subject/get): server CPU µs per request', { actual: measured(ourName('public one-row GET /ajax/subject/get', 'postgres'))?.cpuUsPerRequest }, '≤ 60', (v) => v <= 60),
    // The same goal held against the floor: the Express ceiling plus the same query on node-postgres, nothing else.
    target('its floor (the Express ceiling + the same query on node-postgres, nothing else): server CPU µs per request', { actual: measured(rowFloorName)?.cpuUsPerRequest }, '≤ 60', (v) => v <= 60),
    target('embedded (PGlite) RSS after start, MB', { actual: memoryPglite?.afterStartMb }, '≤ 300', (v) => v <= 300),
    target('embedded (PGlite) RSS after load, MB', { actual: memoryPglite?.afterLoadMb }, '≤ 300', (v) => v <= 300),
    target('first start on an empty data dir to health 200, ms', { actual: coldFirst?.healthMs }, '≤ 3000', (v) => v <= 3000),
  ];
}
