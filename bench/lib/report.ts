import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measurement } from './load.ts';
import { routeProfileSection, withRouteProfileSection, type RouteProfile } from './route-profile.ts';

export interface CaseResult extends Partial<Measurement> {
  runtime: string;
  name: string;
  /** Why a case has no figures (e.g. the route does not exist yet). */
  skipped?: string;
  note?: string;
}

export interface ColdStart {
  runtime: string;
  database: string;
  healthMs: number;
  subjectsMs: number;
  spawns: number;
}

export interface Memory {
  runtime: string;
  /** `ours (postgres)`, `ours (pglite)` or a baseline's name. */
  server: string;
  afterStartMb: number;
  afterLoadMb: number;
  /**
   * After the load, once the server has had no requests for `idleSettleMs` (bench/run.ts): its sanitizer thread
   * has stopped and V8 has released that thread's heap pages. Not measured with `--cases` (older results lack it).
   */
  afterIdleMb?: number;
  /** The highest RSS the process reached (VmHWM). */
  peakMb: number;
}

export interface Target {
  runtime: string;
  name: string;
  actual: number | undefined;
  /** The same ratio computed from server CPU time per request (robust when the machine is busy), where it applies. */
  byCpu?: number | undefined;
  goal: string;
  met: boolean | undefined;
  /** Where the issue accepts something else when the goal is not met: what is given instead. */
  alternative?: string;
}

export interface Report {
  date: string;
  machine: { cpus: number; model: string; memoryGb: number; platform: string };
  plan: object;
  cases: CaseResult[];
  coldStarts: ColdStart[];
  memory: Memory[];
  targets: Target[];
  /** Issue 18, target 4's alternative (bench/lib/route-profile.ts); absent when the run did not profile. */
  perRoute?: RouteProfile;
  notes: string[];
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '—' : value.toFixed(digits));

function caseTable(report: Report): string[] {
  const ceilingOf = (runtime: string) => report.cases.find((entry) => entry.runtime === runtime && entry.name === 'express ceiling');
  const lines = [
    '| runtime | case | req/s (median) | spread | p50 ms | p99 ms | × Express ceiling | server CPU µs/req | server busy | × ceiling by CPU | errors / non-2xx |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const entry of report.cases) {
    if (entry.skipped) {
      lines.push(`| ${entry.runtime} | ${entry.name} | — | — | — | — | — | — | — | — | skipped: ${entry.skipped} |`);
      continue;
    }
    const ceiling = ceilingOf(entry.runtime);
    const ratio = ceiling?.rps && entry.rps ? fixed(entry.rps / ceiling.rps, 2) : '—';
    // Capacity ratio: how many of these requests one core serves per ceiling request, from CPU time alone.
    const cpuRatio = ceiling?.cpuUsPerRequest && entry.cpuUsPerRequest ? fixed(ceiling.cpuUsPerRequest / entry.cpuUsPerRequest, 2) : '—';
    const busy = entry.serverBusyPct === undefined ? '—' : `${entry.serverBusyPct} %`;
    lines.push(
      `| ${entry.runtime} | ${entry.name} | ${entry.rps} | ${entry.rpsSpread?.join('–')} | ${fixed(entry.p50Ms)} | ${fixed(entry.p99Ms)} | ${ratio} | ${entry.cpuUsPerRequest ?? '—'} | ${busy} | ${cpuRatio} | ${entry.errors} / ${entry.non2xx} |`,
    );
  }
  const notes = report.cases.filter((entry) => entry.note).map((entry) => `- ${entry.runtime}, ${entry.name}: ${entry.note}`);
  return notes.length > 0 ? [...lines, '', ...notes] : lines;
}

/** The two ratio targets that a per-route CPU profile may stand in for (issue 18, target 4). */
export const profiledRatios = ['/ajax/subject/all (full stack, access log on) ÷ Express ceiling', '/ajax/health/ ÷ Express ceiling'];

/**
 * The targets, with the per-route profile noted as given on the two ratio targets it stands in for when they
 * are not met (their `met` stays as measured).
 */
export function withProfileAlternative(targets: Target[]): Target[] {
  return targets.map((target) =>
    profiledRatios.includes(target.name) && target.met === false
      ? { ...target, alternative: 'alternative given: the per-route CPU profile ("Where each microsecond goes, per route")' }
      : target,
  );
}

/** A row of the targets table. */
export function targetRow(target: Target): string {
  const met = target.met === undefined ? 'n/a' : target.met ? 'yes' : '**no**';
  return `| ${target.runtime} | ${target.name} | ${fixed(target.actual, 2)} | ${fixed(target.byCpu, 2)} | ${target.goal} | ${target.alternative === undefined ? met : `${met}; ${target.alternative}`} |`;
}

export function toMarkdown(report: Report): string {
  return [
    `# Benchmark results (${report.date})`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGb} GB, ${report.machine.platform}.`,
    `Plan: ${JSON.stringify(report.plan)}`,
    '',
    '## Throughput',
    '',
    ...caseTable(report),
    '',
    '## Targets',
    '',
    '| runtime | target | actual (req/s) | by server CPU time | goal | met (req/s) |',
    '|---|---|---|---|---|---|',
    ...report.targets.map(targetRow),
    '',
    '## Cold start (median of spawns: process spawn → first 200)',
    '',
    '| runtime | database | /ajax/health/ ms | /ajax/subject/all ms | spawns |',
    '|---|---|---|---|---|',
    ...report.coldStarts.map((entry) => `| ${entry.runtime} | ${entry.database} | ${fixed(entry.healthMs, 0)} | ${fixed(entry.subjectsMs, 0)} | ${entry.spawns} |`),
    '',
    '## Memory (RSS)',
    '',
    '| runtime | server | after start MB | after load MB | after load and an idle pause MB | peak MB |',
    '|---|---|---|---|---|---|',
    ...report.memory.map(
      (entry) => `| ${entry.runtime} | ${entry.server} | ${entry.afterStartMb} | ${entry.afterLoadMb} | ${entry.afterIdleMb ?? '–'} | ${entry.peakMb} |`,
    ),
    '',
    ...(report.perRoute === undefined ? [] : [routeProfileSection(report.perRoute), '']),
    '## Notes',
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

export function writeReport(report: Report, directory: URL): void {
  writeFileSync(new URL('latest.json', directory), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('latest.md', directory), toMarkdown(report));
}

/**
 * Adds a per-route profile to the results already in `directory` without touching the rest: its section of
 * latest.md is replaced (or inserted before the notes), the two ratio targets' rows say the alternative is
 * given, and latest.json gets the profile and those targets.
 */
export function addRouteProfile(profile: RouteProfile, directory: URL): void {
  const jsonFile = new URL('latest.json', directory);
  const markdownFile = new URL('latest.md', directory);
  let markdown = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : '';
  if (existsSync(jsonFile)) {
    const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as Report;
    const targets = withProfileAlternative(report.targets);
    writeFileSync(jsonFile, `${JSON.stringify({ ...report, targets, perRoute: profile }, null, 2)}\n`);
    // The first targets table is this JSON's; later ones (focused runs pasted below it) keep their rows.
    const lines = markdown.split('\n');
    for (const target of targets.filter((entry) => entry.alternative !== undefined)) {
      const at = lines.findIndex((line) => line.startsWith(`| ${target.runtime} | ${target.name} |`));
      if (at >= 0) lines[at] = targetRow(target);
    }
    markdown = lines.join('\n');
  }
  writeFileSync(markdownFile, withRouteProfileSection(markdown, routeProfileSection(profile)));
}
