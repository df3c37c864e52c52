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
  database: string;
  afterStartMb: number;
  afterLoadMb: number;
}

export interface Target {
  name: string;
  actual: number | undefined;
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
  const ceilingOf = (runtime: string) => report.cases.find((entry) => entry.runtime === runtime && entry.name === 'express ceiling')?.rps;
  const lines = ['| runtime | case | req/s (median) | spread | p50 ms | p99 ms | × Express ceiling | errors / non-2xx |', '|---|---|---|---|---|---|---|---|'];
  for (const entry of report.cases) {
    if (entry.skipped) {
      lines.push(`| ${entry.runtime} | ${entry.name} | — | — | — | — | — | skipped: ${entry.skipped} |`);
      continue;
    }
    const ceiling = ceilingOf(entry.runtime);
    const ratio = ceiling && entry.rps ? fixed(entry.rps / ceiling, 2) : '—';
    lines.push(
      `| ${entry.runtime} | ${entry.name} | ${entry.rps} | ${entry.rpsSpread?.join('–')} | ${fixed(entry.p50Ms)} | ${fixed(entry.p99Ms)} | ${ratio} | ${entry.errors} / ${entry.non2xx} |`,
    );
  }
  return lines;
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
    '| target | actual | goal | met |',
    '|---|---|---|---|',
    ...report.targets.map((target) => `| ${target.name} | ${fixed(target.actual, 2)} | ${target.goal} | ${target.met === undefined ? 'n/a' : target.met ? 'yes' : '**no**'} |`),
    '',
    '## Cold start (median of spawns: process spawn → first 200)',
    '',
    '| runtime | database | /ajax/health/ ms | /ajax/subject/all ms | spawns |',
    '|---|---|---|---|---|',
    ...report.coldStarts.map((entry) => `| ${entry.runtime} | ${entry.database} | ${fixed(entry.healthMs, 0)} | ${fixed(entry.subjectsMs, 0)} | ${entry.spawns} |`),
    '',
    '## Memory (RSS)',
    '',
    '| runtime | database | after start MB | after load MB |',
    '|---|---|---|---|',
    ...report.memory.map((entry) => `| ${entry.runtime} | ${entry.database} | ${entry.afterStartMb} | ${entry.afterLoadMb} |`),
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
