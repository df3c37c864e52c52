import { writeFileSync } from 'node:fs';
import type { Measurement } from './load.ts';

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
}

export interface Report {
  date: string;
  machine: { cpus: number; model: string; memoryGb: number; platform: string };
  plan: object;
  cases: CaseResult[];
  coldStarts: ColdStart[];
  memory: Memory[];
  targets: Target[];
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
    ...report.targets.map(
      (target) =>
        `| ${target.runtime} | ${target.name} | ${fixed(target.actual, 2)} | ${fixed(target.byCpu, 2)} | ${target.goal} | ${target.met === undefined ? 'n/a' : target.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Cold start (median of spawns: process spawn → first 200)',
    '',
    '| runtime | database | /ajax/health/ ms | /ajax/subject/all ms | spawns |',
    '|---|---|---|---|---|',
    ...report.coldStarts.map((entry) => `| ${entry.runtime} | ${entry.database} | ${fixed(entry.healthMs, 0)} | ${fixed(entry.subjectsMs, 0)} | ${entry.spawns} |`),
    '',
    '## Memory (RSS)',
    '',
    '| runtime | server | after start MB | after load MB | peak MB |',
    '|---|---|---|---|---|',
    ...report.memory.map((entry) => `| ${entry.runtime} | ${entry.server} | ${entry.afterStartMb} | ${entry.afterLoadMb} | ${entry.peakMb} |`),
    '',
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
