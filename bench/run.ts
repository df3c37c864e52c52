// `npm run bench`: baselines and our server side by side, same machine, same run (see bench/README.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sanitizerIdleMs } from '../src/content/cleaner.ts';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { issueAttackerTokens } from './lib/adversarial.ts';
import { baselineCase, ourCases, rowFloorCase, rowFloorName, type BenchCase } from './lib/cases.ts';
import { benchSecret, createSchema, productionEnv, seedForum } from './lib/fixtures.ts';
import { summariseRounds, type LoadPlan, type Round } from './lib/load.ts';
import { probesSentBy } from './lib/mix.ts';
import { loopDelayPreload, serverDelays } from './lib/server-delays.ts';
import { imageNodeFlags, rssMbOf, startServer, type Runtime, type Spawned } from './lib/processes.ts';
import { addRouteProfile, toMarkdown, withProfileAlternative, writeReport, type CaseResult, type ColdStart, type Memory, type Report } from './lib/report.ts';
import { profileRoutes, routeProfileSection, type RouteProfile } from './lib/route-profile.ts';
import { evaluateTargets, firstStart } from './lib/targets.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
// --cases=health,subject/all measures only the cases whose names contain one of these (and the Express
// ceiling), and skips the cold starts: for trying one change quickly.
const only = [...args].find((arg) => arg.startsWith('--cases='))?.slice('--cases='.length).split(',');
// --profile-only runs only the per-route CPU profile (issue 18, target 4) and puts it into the results already
// written; --profile-rate=N offers N req/s to each profiled route (default 3000: below saturation for all).
const profileOnly = args.has('--profile-only');
const profileRate = Number([...args].find((arg) => arg.startsWith('--profile-rate='))?.slice('--profile-rate='.length) ?? 3000);
const plan: LoadPlan = quick
  ? { connections: 50, warmupSeconds: 1, rounds: 3, roundSeconds: 2 }
  : { connections: 50, warmupSeconds: 3, rounds: 3, roundSeconds: 5 };
const coldStartSpawns = quick ? 3 : 5;
const serverCpu = 1;
const seededPosts = 3000;
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'forum-bench-'));
const log = (line: string) => process.stdout.write(`${line}\n`);

function runtimes(): Runtime[] {
  const found: Runtime[] = [{ name: `node ${process.version}`, node: process.execPath, version: process.version }];
  if (!args.has('--only-24')) {
    try {
      const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
      if (version !== process.version) found.push({ name: `node ${version}`, node: '/usr/bin/node', version });
    } catch {
      log('(no /usr/bin/node: measuring the project Node only)');
    }
  }
  return found;
}

const cases: CaseResult[] = [];
const coldStarts: ColdStart[] = [];
const memory: Memory[] = [];
/** The pause after the load before "after load and an idle pause": the sanitizer thread's idle time and 20 s. */
const idleSettleMs = sanitizerIdleMs + 20_000;

/** Our server; with `loopDelayFile`, preloaded to report its event-loop delay there (bench/lib/loop-delay-preload.mjs). */
const ours = (runtime: Runtime, env: Record<string, string>, loopDelayFile?: string) => {
  const preload = loopDelayFile === undefined ? { nodeArgs: [], env: {} } : loopDelayPreload(loopDelayFile);
  return startServer({
    runtime,
    script: join(root, 'dist/server.js'),
    env: { ...productionEnv, ...env, ...preload.env },
    cpu: serverCpu,
    logFile: join(work, 'server.log'),
    readyPath: '/ajax/health/',
    nodeArgs: [...imageNodeFlags(), ...preload.nodeArgs],
  });
};

const baselineServers: Array<[string, string, Record<string, string>]> = [
  ['raw node:http', 'raw-http.mjs', {}],
  ['bare fastify 5', 'bare-fastify.mjs', {}],
  ['express ceiling', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'ceiling' }],
  ['express res.json defaults', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'json' }],
  ['express + pino-http + helmet + cors defaults', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'stack' }],
  // The ceiling plus subject/get's one query on node-postgres, nothing else (issue 18, target 3's floor).
  [rowFloorName, 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'row' }],
];

/**
 * Every case is warmed up, then measured round-robin: round 1 of every case, then round 2 … so a case and
 * the Express ceiling it is divided by are measured minutes apart at most, under the same background load.
 */
async function measureInterleaved(runtime: Runtime, all: BenchCase[]): Promise<void> {
  const measured: BenchCase[] = [];
  for (const entry of all) {
    const problem = await entry.check();
    if (problem === undefined) measured.push(entry);
    else cases.push({ runtime: runtime.name, name: entry.name, skipped: problem });
    if (problem !== undefined) log(`  ${entry.name}: skipped (${problem})`);
  }
  for (const entry of measured) await entry.round(plan.warmupSeconds);
  const rounds = new Map<BenchCase, Round[]>(measured.map((entry) => [entry, []]));
  for (let round = 1; round <= plan.rounds; round++) {
    log(`  round ${round}/${plan.rounds}`);
    for (const entry of measured) {
      const result = await entry.round(plan.roundSeconds);
      rounds.get(entry)!.push(result);
      log(`    ${entry.name}: ${result.rps} req/s, p99 ${result.p99Ms} ms`);
    }
  }
  for (const entry of measured) cases.push({ runtime: runtime.name, name: entry.name, ...summariseRounds(rounds.get(entry)!) });
}

async function coldStart(runtime: Runtime, database: string, env: Record<string, string> | ((spawn: number) => Record<string, string>)) {
  const health: number[] = [];
  const subjects: number[] = [];
  for (let spawn = 0; spawn < coldStartSpawns; spawn++) {
    const server = await ours(runtime, typeof env === 'function' ? env(spawn) : env);
    health.push(server.readyAfterMs);
    const res = await fetch(`${server.baseUrl}/ajax/subject/all`);
    await res.arrayBuffer();
    subjects.push(performance.now() - server.startedAt);
    await server.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  coldStarts.push({ runtime: runtime.name, database, healthMs: median(health), subjectsMs: median(subjects), spawns: coldStartSpawns });
}

async function measureRuntime(runtime: Runtime, index: number, databaseUrl: string, token: string, attackerTokens: string[]): Promise<void> {
  log(`\n== ${runtime.name}`);
  const servers: Array<{ name: string; server: Spawned; afterStartMb: number }> = [];
  const track = (name: string, server: Spawned) => servers.push({ name, server, afterStartMb: server.rssMb() });
  try {
    const loopDelayFile = join(work, `loop-delay-${index}.json`);
    const postgres = await ours(runtime, { DATABASE_URL: databaseUrl }, loopDelayFile);
    track('ours (postgres)', postgres);
    const subjectsJson = await (await fetch(`${postgres.baseUrl}/ajax/subject/all`)).text();
    const rowJson = await (await fetch(`${postgres.baseUrl}/ajax/subject/get?sid=free`)).text();
    const embedded = await ours(runtime, { DATA_DIR: join(work, `pglite-${index}`) });
    track('ours (pglite)', embedded);
    const bodyFile = join(work, 'subjects.json');
    writeFileSync(bodyFile, subjectsJson);
    for (const [name, script, env] of baselineServers) {
      const server = await startServer({
        runtime,
        script: join(root, 'bench/servers', script),
        env: { BENCH_BODY_FILE: bodyFile, BENCH_DATABASE_URL: databaseUrl, NODE_PATH: join(root, 'node_modules'), ...env },
        cpu: serverCpu,
        logFile: join(work, `${script}.log`),
        readyPath: '/ajax/subject/all',
      });
      track(name, server);
    }
    const served = (server: Spawned) => ({ base: server.baseUrl, cpuMs: () => server.cpuMs() });
    const baselines = servers
      .slice(2)
      .map(({ name, server }) => (name === rowFloorName ? rowFloorCase(served(server), rowJson, plan.connections) : baselineCase(name, served(server), subjectsJson, plan.connections)));
    const everyCase = [
      ...baselines,
      ...ourCases({ ...served(postgres), database: 'postgres', token, subjectsJson, posts: seededPosts, attackerTokens, delays: serverDelays(postgres.child.pid!, loopDelayFile) }, plan.connections),
      ...ourCases({ ...served(embedded), database: 'pglite', token, subjectsJson }, plan.connections),
    ];
    await measureInterleaved(
      runtime,
      everyCase.filter((entry) => only === undefined || entry.name === 'express ceiling' || only.some((part) => entry.name.includes(part))),
    );
    const afterLoad = servers.map(({ name, server, afterStartMb }): Memory => ({ runtime: runtime.name, server: name, afterStartMb, afterLoadMb: server.rssMb(), peakMb: server.peakRssMb() }));
    if (only === undefined) {
      // What a quiet spell gives back: the sanitizer thread stops `sanitizerIdleMs` after the last hostile post
      // (its tasks' garbage went 0.2 s after it), and V8 releases the thread's own pages some 10–15 s later. The
      // main thread's burst went in its first quiet second (src/memory-release.ts), before "after load".
      log(`  idle ${idleSettleMs / 1000} s, then RSS again …`);
      await new Promise((settled) => setTimeout(settled, idleSettleMs));
      for (const [index, { server }] of servers.entries()) afterLoad[index]!.afterIdleMb = server.rssMb();
    }
    memory.push(...afterLoad);
  } finally {
    for (const { server } of servers) await server.stop();
  }
  if (only !== undefined) return;
  log('  cold starts …');
  await coldStart(runtime, 'postgres', { DATABASE_URL: databaseUrl });
  await coldStart(runtime, 'pglite (existing data dir)', { DATA_DIR: join(work, `pglite-${index}`) });
  // A fresh clone's first `npm start`: an empty data directory every spawn.
  await coldStart(runtime, firstStart, (spawn) => ({ DATA_DIR: join(work, `pglite-new-${index}-${spawn}`) }));
}

/** Where each microsecond of health and subject/all goes, beside the Express ceiling, on the project's Node. */
function measurePerRoute(databaseUrl: string): Promise<RouteProfile> {
  log(`\n== per-route CPU profile (${process.version})`);
  return profileRoutes({
    runtime: { name: `node ${process.version}`, node: process.execPath, version: process.version },
    databaseUrl,
    work: join(work, 'profile'),
    cpu: serverCpu,
    rate: profileRate,
    connections: plan.connections,
    rounds: quick ? 2 : 4,
    roundSeconds: quick ? 3 : 5,
    warmupSeconds: 2,
    // node's default: a shorter interval buys samples with more of the profiler's own cost on every row.
    intervalUs: 1000,
    log,
  });
}

function build(): void {
  log('building dist/ …');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** `--profile-only`: the per-route profile alone, into the results already in bench/results/. */
async function onlyProfile() {
  build();
  const schema = await createSchema();
  try {
    await seedForum(schema.url, seededPosts);
    const profile = await measurePerRoute(schema.url);
    addRouteProfile(profile, new URL('results/', import.meta.url));
    log(`\n${routeProfileSection(profile)}`);
    log('written into bench/results/latest.md and latest.json (the rest of both kept)');
  } finally {
    await schema.drop();
  }
}

async function main() {
  build();
  const schema = await createSchema();
  await seedForum(schema.url, seededPosts);
  const tokens = createAccessTokens(benchSecret);
  const token = await tokens.issue({ id: 'bench1', role: 'ROLE_USER_CERT' });
  const attackerTokens = await issueAttackerTokens(tokens);
  const measuredRuntimes = runtimes();
  let perRoute: RouteProfile | undefined;
  try {
    for (const [index, runtime] of measuredRuntimes.entries()) await measureRuntime(runtime, index, schema.url, token, attackerTokens);
    // A focused run (--cases) skips it, as it skips the cold starts.
    if (only === undefined) perRoute = await measurePerRoute(schema.url);
  } finally {
    await schema.drop();
  }
  const targets = measuredRuntimes.flatMap((runtime) => evaluateTargets(cases, coldStarts, memory, runtime.name));
  const report: Report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), platform: `${process.platform} ${process.arch}` },
    plan: { ...plan, coldStartSpawns },
    cases,
    coldStarts,
    memory,
    targets: perRoute ? withProfileAlternative(targets) : targets,
    ...(perRoute ? { perRoute } : {}),
    notes: [
      `load generator: autocannon in this process pinned to CPU 0 (taskset), servers pinned to CPU ${serverCpu}; PostgreSQL is the machine's own server, unpinned (it shares the cores).`,
      'cases are measured round-robin (round 1 of every case, then round 2, …), so ratios compare figures taken under the same background load.',
      'the access log is on (LOG_LEVEL=info) for every case of ours, written to a file.',
      `the ALB-like mix's health probes are sent by ${probesSentBy}; its note adds the server's event-loop delay and GC pauses (our PostgreSQL server runs with bench/lib/loop-delay-preload.mjs, a 5 ms timer) and how long its main thread waited for a core (/proc schedstat).`,
      `rss of the benchmark process itself: ${rssMbOf(process.pid)} MB (not part of any figure).`,
    ],
  };
  writeReport(report, new URL('results/', import.meta.url));
  log(`\n${toMarkdown(report)}`);
  log('written: bench/results/latest.json and latest.md');
}

await (profileOnly ? onlyProfile() : main());
