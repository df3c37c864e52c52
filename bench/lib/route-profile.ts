// Issue 18, target 4's alternative: per route, where every microsecond of server CPU goes, middleware by
// middleware, beside the Express ceiling the ratio targets divide by. Part of `npm run bench`; alone with
// `npm run bench -- --profile-only`.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProfile } from './cpu-profile.ts';
import { bucketsIn, type LayerWindow } from './layers.ts';
import { fromFrontEnd, loadRound } from './load.ts';
import { middlewareOfStack, middlewareRows } from './middleware.ts';
import { productionEnv } from './fixtures.ts';
import { imageNodeFlags, startServer, threadCpuMs, type Runtime, type Spawned } from './processes.ts';
import { waitedNs } from './server-delays.ts';

/** One route (or the ceiling) under the profile's load; every figure in µs of server CPU per request. */
export interface ProfiledLoad {
  label: string;
  path: string;
  /** Requests answered per second, on average over the measured windows. */
  rps: number;
  requests: number;
  /** The server's CPU time over the windows' wall time (one core is 100 %). */
  busyPct: number;
  /** Response headers of one answer (distinct names, as fetch reports them). */
  headers: number;
  /** Sampled main-thread time by middleware row (bench/lib/middleware.ts); they add up to `sampledUs`. */
  rows: Record<string, number>;
  sampledUs: number;
  /** The main thread's CPU time from /proc (user + system). */
  mainThreadUs: number;
  /** How long the main thread was runnable but waiting for a core (/proc schedstat). */
  waitedUs: number;
  /** CPU of the other threads by thread name (/proc/<pid>/task), plus `(ended threads, tick rounding)`: the rest of /proc's total. */
  otherThreads: Record<string, number>;
  /** The server's CPU time from /proc: every thread, kernel included. */
  totalUs: number;
  /** The part of `totalUs` spent in the kernel. */
  systemUs: number;
  /** The same load on the same server started without --cpu-prof (a second process, measured alongside): /proc's CPU per request. */
  unprofiledUs: number;
  /** The main thread's part of `unprofiledUs`. */
  unprofiledMainThreadUs: number;
}

export interface RouteProfile {
  date: string;
  node: string;
  /** Requests per second offered to each load (autocannon's overallRate). */
  rate: number;
  connections: number;
  rounds: number;
  roundSeconds: number;
  intervalUs: number;
  /** The machine's 1-minute load average before and after (other work on the shared cores shows here). */
  loadAverage: [number, number];
  /** The Express ceiling first: every other load is compared with it. */
  loads: ProfiledLoad[];
}

export interface RouteProfileOptions {
  runtime: Runtime;
  databaseUrl: string;
  /** A directory of its own for logs, the ceiling's body and the profiles. */
  work: string;
  cpu: number;
  rate: number;
  connections: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  intervalUs: number;
  log: (line: string) => void;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The thread V8's CPU profiler samples from (absent without --cpu-prof). */
export const profilerThread = 'v8:ProfEvntProc';

interface Snapshot {
  totalMs: number;
  systemMs: number;
  threads: Map<number, { name: string; ms: number }>;
  waitedNs: number;
}

const snapshot = (server: Spawned): Snapshot => ({
  totalMs: server.cpuMs(),
  systemMs: server.systemCpuMs(),
  threads: threadCpuMs(server.child.pid!),
  waitedNs: waitedNs(server.child.pid!),
});

/** What one load accumulates over its rounds: ms of CPU, the measured windows. */
interface Accumulated {
  requests: number;
  seconds: number;
  windows: LayerWindow[];
  totalMs: number;
  systemMs: number;
  mainMs: number;
  waitedMs: number;
  threadMs: Map<string, number>;
}

function accumulate(into: Accumulated, pid: number, before: Snapshot, after: Snapshot): void {
  into.totalMs += after.totalMs - before.totalMs;
  into.systemMs += after.systemMs - before.systemMs;
  into.waitedMs += (after.waitedNs - before.waitedNs) / 1e6;
  for (const [tid, thread] of after.threads) {
    const ms = thread.ms - (before.threads.get(tid)?.ms ?? 0);
    if (tid === pid) into.mainMs += ms;
    else into.threadMs.set(thread.name, (into.threadMs.get(thread.name) ?? 0) + ms);
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

interface LoadRun {
  label: string;
  path: string;
  headers: number;
  /** Where the server's CPU profile is, when it ran with one. */
  profileDirectory?: string;
  sum: Accumulated;
}

/**
 * Starts our server (PostgreSQL at `databaseUrl`, the image's node flags, access log on) and the Express ceiling
 * (as the throughput table runs it) twice each, with `--cpu-prof` and without, all pinned to `cpu`; offers
 * each route on each server the same rate, round-robin (a route's profiled and unprofiled rounds one after the
 * other, so both see the same background load), and sums each one's CPU and windows. All stop at the end
 * (writing the profiles).
 */
async function runLoads(options: RouteProfileOptions): Promise<{ profiled: LoadRun[]; unprofiled: LoadRun[] }> {
  const { runtime, cpu, rate, connections, rounds, roundSeconds, intervalUs, log } = options;
  const servers: Spawned[] = [];
  const start = async (name: string, cpuProf: boolean, script: string, env: Record<string, string>, readyPath: string, nodeArgs: string[] = []) => {
    const directory = join(options.work, name);
    mkdirSync(directory, { recursive: true });
    const server = await startServer({
      runtime,
      script,
      env,
      cpu,
      logFile: join(directory, 'server.log'),
      readyPath,
      nodeArgs: [...nodeArgs, ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${directory}`, `--cpu-prof-interval=${intervalUs}`] : [])],
    });
    servers.push(server);
    return { server, directory };
  };
  try {
    const ours = (name: string, cpuProf: boolean) =>
      start(name, cpuProf, join(root, 'dist/server.js'), { ...productionEnv, DATABASE_URL: options.databaseUrl }, '/ajax/health/', imageNodeFlags());
    const oursProfiled = await ours('ours-profiled', true);
    const oursPlain = await ours('ours', false);
    const bodyFile = join(options.work, 'subjects.json');
    writeFileSync(bodyFile, await (await fetch(`${oursPlain.server.baseUrl}/ajax/subject/all`)).text());
    const ceiling = (name: string, cpuProf: boolean) =>
      start(name, cpuProf, join(root, 'bench/servers/bare-express.mjs'), { BENCH_BODY_FILE: bodyFile, NODE_PATH: join(root, 'node_modules'), BENCH_EXPRESS_MODE: 'ceiling' }, '/ajax/subject/all');
    const ceilingProfiled = await ceiling('ceiling-profiled', true);
    const ceilingPlain = await ceiling('ceiling', false);
    type Started = Awaited<ReturnType<typeof start>>;
    const planned: Array<[string, string, Started, Started]> = [
      ['Express ceiling', '/ajax/subject/all', ceilingProfiled, ceilingPlain],
      ['GET /ajax/health/', '/ajax/health/', oursProfiled, oursPlain],
      ['GET /ajax/subject/all', '/ajax/subject/all', oursProfiled, oursPlain],
      ['GET /ajax/subject/get', '/ajax/subject/get?sid=free', oursProfiled, oursPlain],
    ];
    const loads: Array<LoadRun & { server: Spawned; profiled: boolean }> = [];
    for (const [label, path, ...pair] of planned) {
      for (const [index, { server, directory }] of pair.entries()) {
        const res = await fetch(server.baseUrl + path, { headers: fromFrontEnd });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${label} answered ${res.status}`);
        const sum: Accumulated = { requests: 0, seconds: 0, windows: [], totalMs: 0, systemMs: 0, mainMs: 0, waitedMs: 0, threadMs: new Map() };
        loads.push({ label, path, server, profiled: index === 0, headers: [...res.headers.keys()].length, ...(index === 0 ? { profileDirectory: directory } : {}), sum });
      }
    }
    const round = (load: (typeof loads)[number], seconds: number) => loadRound({ url: load.server.baseUrl + load.path, headers: fromFrontEnd }, connections, seconds, rate);
    log(`  ${rate} req/s offered to each route, with and without --cpu-prof: warm-up …`);
    for (const load of loads) await round(load, options.warmupSeconds);
    for (let index = 1; index <= rounds; index++) {
      for (const load of loads) {
        const before = snapshot(load.server);
        const fromUs = monotonicUs();
        const result = await round(load, roundSeconds);
        const toUs = monotonicUs();
        accumulate(load.sum, load.server.child.pid!, before, snapshot(load.server));
        load.sum.windows.push({ fromUs, toUs });
        load.sum.requests += result.requests;
        load.sum.seconds += (toUs - fromUs) / 1e6;
        log(`    round ${index}/${rounds} ${load.label}${load.profiled ? ' (profiled)' : ''}: ${result.rps} req/s, non-2xx ${result.non2xx}, errors ${result.errors}`);
      }
    }
    return { profiled: loads.filter((load) => load.profiled), unprofiled: loads.filter((load) => !load.profiled) };
  } finally {
    // A clean stop is what writes each profile.
    for (const server of servers) await server.stop();
  }
}

/**
 * Each server runs twice at the same offered rate: with `--cpu-prof`, for the account per middleware, and
 * without, for what it costs when nobody is watching.
 */
export async function profileRoutes(options: RouteProfileOptions): Promise<RouteProfile> {
  const loadBefore = loadavg()[0]!;
  const { profiled, unprofiled } = await runLoads(options);
  return {
    date: new Date().toISOString(),
    node: options.runtime.version,
    rate: options.rate,
    connections: options.connections,
    rounds: options.rounds,
    roundSeconds: options.roundSeconds,
    intervalUs: options.intervalUs,
    loadAverage: [loadBefore, loadavg()[0]!],
    loads: profiled.map(({ label, path, profileDirectory, headers, sum }, index) => {
      const file = readdirSync(profileDirectory!).find((name) => name.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`no CPU profile in ${profileDirectory}`);
      const perRequest = (ms: number, of: Accumulated = sum) => (ms * 1000) / of.requests;
      const rows = Object.fromEntries([...bucketsIn(readProfile(join(profileDirectory!, file)), sum.windows, middlewareOfStack)].map(([row, ms]) => [row, perRequest(ms)]));
      const otherThreads = Object.fromEntries([...sum.threadMs].filter(([, ms]) => ms > 0).map(([name, ms]) => [name, perRequest(ms)]));
      const ended = perRequest(sum.totalMs - sum.mainMs) - Object.values(otherThreads).reduce((total, us) => total + us, 0);
      if (Math.abs(ended) >= 0.05) otherThreads['(ended threads, tick rounding)'] = ended;
      const plain = unprofiled[index]!.sum;
      return {
        label,
        path,
        rps: Math.round(sum.requests / sum.seconds),
        requests: sum.requests,
        busyPct: Math.round(sum.totalMs / (10 * sum.seconds)),
        headers,
        rows,
        sampledUs: Object.values(rows).reduce((total, us) => total + us, 0),
        mainThreadUs: perRequest(sum.mainMs),
        waitedUs: perRequest(sum.waitedMs),
        otherThreads,
        totalUs: perRequest(sum.totalMs),
        systemUs: perRequest(sum.systemMs),
        unprofiledUs: perRequest(plain.totalMs, plain),
        unprofiledMainThreadUs: perRequest(plain.mainMs, plain),
      };
    }),
  };
}

export const routeProfileHeading = '## Where each microsecond goes, per route';

const negative = (value: number) => value < 0 && Math.abs(value).toFixed(1) !== '0.0';
const us = (value: number) => `${negative(value) ? '−' : ''}${Math.abs(value).toFixed(1)}`;
const signed = (value: number) => `${negative(value) ? '−' : '+'}${Math.abs(value).toFixed(1)}`;

/** The section of bench/results/latest.md: one table, one row per middleware or bucket, one column pair per route. */
export function routeProfileSection(profile: RouteProfile): string {
  const [ceiling, ...routes] = profile.loads;
  if (ceiling === undefined) return `${routeProfileHeading}\n\n(no profile)`;
  /** A row's cells: the ceiling, then each route and its difference; `blank` loads had no sample of the row. */
  const valueCells = (value: (load: ProfiledLoad) => number, blank: (load: ProfiledLoad) => boolean = () => false) => {
    const cell = (load: ProfiledLoad) => (blank(load) ? '–' : us(value(load)));
    return [cell(ceiling), ...routes.flatMap((load) => [cell(load), blank(load) && blank(ceiling) ? '–' : signed(value(load) - value(ceiling))])];
  };
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const perLoad = (text: (load: ProfiledLoad) => string) => profile.loads.map((load) => `${load.label} ${text(load)}`).join('; ');
  const profilerUs = (load: ProfiledLoad) => load.otherThreads[profilerThread] ?? 0;
  const threads = (load: ProfiledLoad) =>
    Object.entries(load.otherThreads)
      .filter(([name]) => name !== profilerThread)
      .sort(([, a], [, b]) => b - a)
      .map(([name, value]) => `${name} ${us(value)}`)
      .join(', ') || 'none';
  const rowNames = middlewareRows.map((row) => row.name);
  const unknown = [...new Set(profile.loads.flatMap((load) => Object.keys(load.rows)))].filter((name) => !rowNames.includes(name));
  return [
    routeProfileHeading,
    '',
    `Issue 18, target 4's alternative to its two ratio targets (subject/all ≥ 0.75× and health ≥ 0.9× the Express ceiling's req/s), and where target 3's uncached row (subject/get, goal ≤ 60 µs) spends its time. \`npm run bench -- --profile-only\` (also part of a full \`npm run bench\`) runs our server (PostgreSQL, the image's node flags, access log on) and the Express ceiling (as in the throughput table: V8's default flags), each pinned to one core, once with \`--cpu-prof --cpu-prof-interval=${profile.intervalUs}\` and once without (a route's two rounds one after the other), at the same offered ${profile.rate} req/s from ${profile.connections} connections (${profile.loads.every((load) => load.busyPct < 90) ? 'below saturation for all of them' : '**one of them saturated: lower `--profile-rate`**'}), ${profile.rounds} rounds of ${profile.roundSeconds} s per route taken round-robin (node ${profile.node}, ${profile.date}, machine load average ${profile.loadAverage.map((value) => value.toFixed(1)).join(' → ')} on ${cpus().length} cores). Figures are µs of server CPU per request; Δ is the route minus the ceiling.`,
    '',
    '**Attribution.** Each main-thread sample goes to the middleware of the frame nearest to its leaf that belongs to one (bench/lib/middleware.ts): a project module or function (`stampRequestId`, `stamp` and `requestIdOf` are the request id, the rest of request-logging.ts the access log), a package (pino and its helpers the access log, helmet the security headers, cors and vary CORS, passport and jose auth, pg, kysely and zod the route handler, any other package Express), or node\'s `res.end` and header serialisation (response writing). So node work a middleware calls (its `setHeader`, `randomUUID`) is that middleware\'s. A sample with no such frame goes by the nearest node layer, as `bench/profile.ts` counts layers: node\'s HTTP parser and sockets, promises and timers, the garbage collector, V8 / native. The rows add up exactly to the sampled main-thread time; the rows below it take that to the CPU time /proc counts for the whole process, and then, less profiling\'s own cost, to what the same load costs without the profiler (the last row). V8 samples wall time while the main thread is busy, so time it spends waiting for the core counts in the rows (roughly in proportion to each) and comes out again in the "/proc CPU − sampled" row: on a machine busy with other work, read the rows as shares of the sampled total, and their differences from the ceiling within that.',
    '',
    line(['middleware / bucket, in request order', ceiling.label, ...routes.flatMap((load) => [load.label, 'Δ']), 'why it is worth its cost']),
    line(Array.from({ length: 3 + 2 * routes.length }, () => '---')),
    ...[...middlewareRows.map((row) => [row.name, row.why] as const), ...unknown.map((name) => [name, 'not in bench/lib/middleware.ts'] as const)].map(([name, why]) =>
      line([name, ...valueCells((load) => load.rows[name] ?? 0, (load) => load.rows[name] === undefined), why]),
    ),
    line(['**sampled, main thread (the rows above)**', ...valueCells((load) => load.sampledUs), 'the sum of the rows above (each rounded to 0.1 µs)']),
    line([
      'main thread: /proc CPU − sampled',
      ...valueCells((load) => load.mainThreadUs - load.sampledUs),
      `a sample counts the wall time since the one before: (+) CPU the main thread used while the profiler had it marked idle (going into and out of epoll_wait); (−) time it was runnable but waiting for the core, which /proc does not count: its own threads (the profiler's, V8's workers) share the one pinned core. Waited for a core (schedstat): ${perLoad((load) => us(load.waitedUs))}. /proc counts in 10 ms ticks`,
    ]),
    line([
      `the profiler's own thread (${profilerThread})`,
      ...valueCells(profilerUs),
      'runs only under --cpu-prof: a cost of measuring, not of the server (part of "profiling\'s cost" below)',
    ]),
    line([
      'other threads (/proc, by thread name)',
      ...valueCells((load) => load.totalUs - load.mainThreadUs - profilerUs(load)),
      `threads the profile does not sample: V8's workers (concurrent GC marking and sweeping, compiling) and libuv's pool (the access log's file writes). ${perLoad((load) => `(${threads(load)})`)}`,
    ]),
    line([
      '**server CPU from /proc: every thread, kernel included**',
      ...valueCells((load) => load.totalUs),
      `the sum of the rows above; in the kernel: ${perLoad((load) => us(load.systemUs))} (most of response writing is the kernel's loopback send)`,
    ]),
    line([
      'profiling\'s cost (profiled − unprofiled server)',
      ...valueCells((load) => load.totalUs - load.unprofiledUs),
      `the profiler's thread (above), the main thread's extra time (signals and a stack walk per sample: ${perLoad((load) => us(load.mainThreadUs - load.unprofiledMainThreadUs))}), the rest the other threads and the noise between two processes. The main thread's share falls on every row above roughly in proportion to its time`,
    ]),
    line([
      '*the same load on the server started without --cpu-prof (/proc)*',
      ...valueCells((load) => load.unprofiledUs),
      `what the servers cost unwatched: by CPU at this rate ${routes.map((load) => `${load.label} serves ${(ceiling.unprofiledUs / load.unprofiledUs).toFixed(2)}×`).join(' and ')} of the ceiling's requests per core (the targets are req/s at saturation, health ≥ 0.9 and subject/all ≥ 0.75: see the Targets table)`,
    ]),
    '',
    `Answered: ${perLoad((load) => `${load.rps} req/s (${load.requests} requests, server busy ${load.busyPct} % of a core)`)}. Response headers: ${perLoad((load) => String(load.headers))}.`,
  ].join('\n');
}

/** `markdown` with the per-route section replaced, or inserted before its Notes (or at the end) if it has none. */
export function withRouteProfileSection(markdown: string, section: string): string {
  const start = markdown.indexOf(`${routeProfileHeading}\n`);
  if (start >= 0) {
    const next = markdown.indexOf('\n## ', start + routeProfileHeading.length);
    return `${markdown.slice(0, start)}${section}\n${next < 0 ? '' : markdown.slice(next)}`;
  }
  const notes = markdown.indexOf('\n## Notes\n');
  if (notes < 0) return `${markdown.trimEnd()}\n\n${section}\n`;
  return `${markdown.slice(0, notes)}\n${section}\n${markdown.slice(notes)}`;
}
