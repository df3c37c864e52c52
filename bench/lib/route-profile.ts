// Issue 18, target 4's alternative: per route, where every microsecond of server CPU goes, middleware by
// middleware, beside the Express ceiling the ratio targets divide by. Part of `npm run bench`; alone with
// `npm run bench -- --profile-only`.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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

interface Snapshot {
  totalMs: number;
  threads: Map<number, { name: string; ms: number }>;
  waitedNs: number;
}

const snapshot = (server: Spawned): Snapshot => ({ totalMs: server.cpuMs(), threads: threadCpuMs(server.child.pid!), waitedNs: waitedNs(server.child.pid!) });

/** What one load accumulates over its rounds, in ms (CPU) and µs (windows). */
interface Accumulated {
  requests: number;
  seconds: number;
  windows: LayerWindow[];
  totalMs: number;
  mainMs: number;
  waitedMs: number;
  threadMs: Map<string, number>;
}

function accumulate(into: Accumulated, pid: number, before: Snapshot, after: Snapshot): void {
  into.totalMs += after.totalMs - before.totalMs;
  into.waitedMs += (after.waitedNs - before.waitedNs) / 1e6;
  for (const [tid, thread] of after.threads) {
    const ms = thread.ms - (before.threads.get(tid)?.ms ?? 0);
    if (tid === pid) into.mainMs += ms;
    else into.threadMs.set(thread.name, (into.threadMs.get(thread.name) ?? 0) + ms);
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Starts our server (PostgreSQL at `databaseUrl`, the image's node flags, access log on) and the Express ceiling
 * (as the throughput table runs it), both with `--cpu-prof` and pinned to `cpu`; offers each route the same
 * rate, round-robin, and accounts for their CPU per request middleware by middleware.
 */
export async function profileRoutes(options: RouteProfileOptions): Promise<RouteProfile> {
  const { runtime, work, cpu, rate, connections, rounds, roundSeconds, intervalUs, log } = options;
  const profiled = (name: string) => {
    const directory = join(work, name);
    mkdirSync(directory, { recursive: true });
    return { directory, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${directory}`, `--cpu-prof-interval=${intervalUs}`] };
  };
  const oursProfile = profiled('ours');
  const ceilingProfile = profiled('ceiling');
  const servers: Spawned[] = [];
  const loads: Array<{ label: string; path: string; server: Spawned; directory: string; headers: number; sum: Accumulated }> = [];
  try {
    const ours = await startServer({
      runtime,
      script: join(root, 'dist/server.js'),
      env: { ...productionEnv, DATABASE_URL: options.databaseUrl },
      cpu,
      logFile: join(work, 'server.log'),
      readyPath: '/ajax/health/',
      nodeArgs: [...imageNodeFlags(), ...oursProfile.nodeArgs],
    });
    servers.push(ours);
    const bodyFile = join(work, 'subjects.json');
    writeFileSync(bodyFile, await (await fetch(`${ours.baseUrl}/ajax/subject/all`)).text());
    const ceiling = await startServer({
      runtime,
      script: join(root, 'bench/servers/bare-express.mjs'),
      env: { BENCH_BODY_FILE: bodyFile, NODE_PATH: join(root, 'node_modules'), BENCH_EXPRESS_MODE: 'ceiling' },
      cpu,
      logFile: join(work, 'ceiling.log'),
      readyPath: '/ajax/subject/all',
      nodeArgs: ceilingProfile.nodeArgs,
    });
    servers.push(ceiling);
    const planned: Array<[string, string, Spawned, string]> = [
      ['Express ceiling', '/ajax/subject/all', ceiling, ceilingProfile.directory],
      ['GET /ajax/health/', '/ajax/health/', ours, oursProfile.directory],
      ['GET /ajax/subject/all', '/ajax/subject/all', ours, oursProfile.directory],
    ];
    for (const [label, path, server, directory] of planned) {
      const res = await fetch(server.baseUrl + path, { headers: fromFrontEnd });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${label} answered ${res.status}`);
      const sum: Accumulated = { requests: 0, seconds: 0, windows: [], totalMs: 0, mainMs: 0, waitedMs: 0, threadMs: new Map() };
      loads.push({ label, path, server, directory, headers: [...res.headers.keys()].length, sum });
    }
    const round = (load: (typeof loads)[number], seconds: number) => loadRound({ url: load.server.baseUrl + load.path, headers: fromFrontEnd }, connections, seconds, rate);
    log(`  per-route profile at ${rate} req/s: warm-up …`);
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
        log(`    round ${index}/${rounds} ${load.label}: ${result.rps} req/s, non-2xx ${result.non2xx}, errors ${result.errors}`);
      }
    }
  } finally {
    // A clean stop is what writes each profile.
    for (const server of servers) await server.stop();
  }
  return {
    date: new Date().toISOString(),
    node: runtime.version,
    rate,
    connections,
    rounds,
    roundSeconds,
    intervalUs,
    loads: loads.map(({ label, path, directory, headers, sum }) => {
      const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`no CPU profile in ${directory}`);
      const perRequest = (ms: number) => (ms * 1000) / sum.requests;
      const rows = Object.fromEntries([...bucketsIn(readProfile(join(directory, file)), sum.windows, middlewareOfStack)].map(([row, ms]) => [row, perRequest(ms)]));
      const otherThreads = Object.fromEntries([...sum.threadMs].filter(([, ms]) => ms > 0).map(([name, ms]) => [name, perRequest(ms)]));
      const ended = perRequest(sum.totalMs - sum.mainMs) - Object.values(otherThreads).reduce((total, us) => total + us, 0);
      if (Math.abs(ended) >= 0.05) otherThreads['(ended threads, tick rounding)'] = ended;
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
      };
    }),
  };
}

export const routeProfileHeading = '## Where each microsecond goes, per route';

const us = (value: number) => value.toFixed(1);
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;

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
  const threads = (load: ProfiledLoad) =>
    Object.entries(load.otherThreads)
      .sort(([, a], [, b]) => b - a)
      .map(([name, value]) => `${name} ${us(value)}`)
      .join(', ') || 'none';
  const rowNames = middlewareRows.map((row) => row.name);
  const unknown = [...new Set(profile.loads.flatMap((load) => Object.keys(load.rows)))].filter((name) => !rowNames.includes(name));
  return [
    routeProfileHeading,
    '',
    `Issue 18, target 4: neither ratio target is met, so this is its alternative. \`npm run bench -- --profile-only\` (also part of a full \`npm run bench\`) runs our server (PostgreSQL, the image's node flags, access log on) and the Express ceiling (as in the throughput table: V8's default flags), each pinned to one core with \`--cpu-prof --cpu-prof-interval=${profile.intervalUs}\`, at the same offered ${profile.rate} req/s from ${profile.connections} connections (${profile.loads.every((load) => load.busyPct < 90) ? 'below saturation for all three' : '**one of them saturated: lower `--profile-rate`**'}), ${profile.rounds} rounds of ${profile.roundSeconds} s per route taken round-robin (node ${profile.node}, ${profile.date}). Figures are µs of server CPU per request; Δ is the route minus the ceiling.`,
    '',
    '**Attribution.** Each main-thread sample goes to the middleware of the frame nearest to its leaf that belongs to one (bench/lib/middleware.ts): a project module or function (`stampRequestId` and `requestIdOf` are the request id, the rest of request-logging.ts the access log), a package (pino and its helpers the access log, helmet the security headers, cors and vary CORS, passport and jose auth, pg, kysely and zod the route handler, any other package Express), or node\'s `res.end` and header serialisation (response writing). So node work a middleware calls (its `setHeader`, `randomUUID`) is that middleware\'s. A sample with no such frame goes by the nearest node layer, as `bench/profile.ts` counts layers: node\'s HTTP parser and sockets, promises and timers, the garbage collector, V8 / native. The rows add up exactly to the sampled main-thread time; the three rows below it take that to the CPU time /proc counts for the whole process.',
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
      `a sample counts the wall time since the one before, so it includes time the main thread was runnable but waiting for the core while other processes (PostgreSQL, the load generator's neighbours) ran on it, which /proc does not count; waited for a core (schedstat): ${perLoad((load) => us(load.waitedUs))}; /proc counts in 10 ms ticks`,
    ]),
    line([
      'other threads (/proc, by thread name)',
      ...valueCells((load) => load.totalUs - load.mainThreadUs),
      `threads the profile does not sample: the libuv pool writing the access log file, V8's GC and compiler helpers, the profiler's own sampling thread. ${perLoad((load) => `(${threads(load)})`)}`,
    ]),
    line([
      '**server CPU from /proc: every thread, kernel included**',
      ...valueCells((load) => load.totalUs),
      `what the ratio targets compare: by CPU at this rate ${routes.map((load) => `${load.label} ${(ceiling.totalUs / load.totalUs).toFixed(2)}×`).join(', ')} of the ceiling (with the profiler running)`,
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
