import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (written by `node --cpu-prof`) this analyzer reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  /** Microseconds on the monotonic clock, the one `process.hrtime` reads in every process. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

export interface FunctionTime {
  name: string;
  /** Where it lives: a package name, a project file, or `node:` for Node's own code. */
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  sampledMs: number;
  idleMs: number;
  functions: FunctionTime[];
  /** Self time per package / project file / node internals. */
  places: Array<{ where: string; selfMs: number }>;
}

/** `node_modules/<pkg>` (scoped too), `src/…` of this project, or `node:` / `(program)` for the runtime. */
export function placeOf(url: string): string {
  if (url === '') return '(native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  const inProject = /\/(dist|src)\/(.+)$/.exec(url);
  if (inProject) return `${inProject[1]}/${inProject[2]}`;
  return url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url;
}

/** Self and inclusive time per function; inclusive counts a sample once per function, whatever the recursion. */
export function summarise(path: string): ProfileSummary {
  const profile = readProfile(path);
  const parent = new Map<number, number>();
  const frameOf = new Map<number, CallFrame>();
  for (const node of profile.nodes) {
    frameOf.set(node.id, node.callFrame);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}\t${placeOf(frame.url)}:${frame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const places = new Map<string, number>();
  let sampledMs = 0;
  let idleMs = 0;
  profile.samples.forEach((leaf, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    sampledMs += ms;
    const leafFrame = frameOf.get(leaf)!;
    if (leafFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    self.set(keyOf(leafFrame), (self.get(keyOf(leafFrame)) ?? 0) + ms);
    places.set(placeOf(leafFrame.url), (places.get(placeOf(leafFrame.url)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const key = keyOf(frameOf.get(id)!);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  const functions = [...total].map(([key, totalMs]) => {
    const [name, where] = key.split('\t') as [string, string];
    return { name, where, selfMs: self.get(key) ?? 0, totalMs };
  });
  return {
    sampledMs,
    idleMs,
    functions,
    places: [...places].map(([where, selfMs]) => ({ where, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatSummary(summary: ProfileSummary, top = 30): string {
  const busy = summary.sampledMs - summary.idleMs;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  const row = (entry: FunctionTime) => `${pct(entry.selfMs)} ${pct(entry.totalMs)}  ${entry.name}  (${entry.where})`;
  const bySelf = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  const byTotal = [...summary.functions].filter((entry) => entry.where !== '(native):0').sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  return [
    `busy ${busy.toFixed(0)} ms of ${summary.sampledMs.toFixed(0)} ms sampled (idle ${((100 * summary.idleMs) / summary.sampledMs).toFixed(1)} %); percentages are of busy time`,
    '',
    'self time by place:',
    ...summary.places.slice(0, top).map((place) => `${pct(place.selfMs)}  ${place.where}`),
    '',
    '   self   total  function (by self time)',
    ...bySelf.map(row),
    '',
    '   self   total  function (by inclusive time)',
    ...byTotal.map(row),
  ].join('\n');
}

// `npx node bench/lib/cpu-profile.ts <file.cpuprofile> [top]`: the same summary for any profile.
if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [top]');
  console.log(formatSummary(summarise(file), Number(top ?? 30)));
}
