// `npm run bench`: baselines and our server side by side, same machine, same run (see bench/README.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { benchSecret, createSchema, seedForum } from './lib/fixtures.ts';
import { measure, type LoadPlan } from './lib/load.ts';
import { rssMbOf, startServer, type Runtime, type Spawned } from './lib/processes.ts';
import { writeReport, type CaseResult, type ColdStart, type Memory, type Report } from './lib/report.ts';
import { evaluateTargets } from './lib/targets.ts';
import { measureMix } from './lib/mix.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const plan: LoadPlan = quick
  ? { connections: 50, warmupSeconds: 1, rounds: 3, roundSeconds: 2 }
  : { connections: 50, warmupSeconds: 3, rounds: 3, roundSeconds: 5 };
const coldStartSpawns = quick ? 3 : 5;
const serverCpu = 1;
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
const notes: string[] = [];

async function record(runtime: Runtime, name: string, run: () => Promise<CaseResult | Omit<CaseResult, 'runtime' | 'name'>>) {
  log(`  ${runtime.name}: ${name} …`);
  const result = { runtime: runtime.name, name, ...(await run()) };
  cases.push(result);
  log(result.skipped ? `    skipped: ${result.skipped}` : `    ${result.rps} req/s, p99 ${result.p99Ms} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
}

/** A route that answers 401/404 without a token does not exist yet (or is protected): skip rather than measure errors. */
async function routeExists(base: string, path: string, init: RequestInit = {}): Promise<boolean> {
  const res = await fetch(base + path, init);
  await res.arrayBuffer();
  return res.status === 200;
}

const ours = (runtime: Runtime, env: Record<string, string>) =>
  startServer({
    runtime,
    script: join(root, 'dist/server.js'),
    env: { NODE_ENV: 'production', JWT_SECRET: benchSecret, LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: '0', ...env },
    cpu: serverCpu,
    logFile: join(work, 'server.log'),
    readyPath: '/ajax/health/',
  });

async function measureOurs(runtime: Runtime, database: string, server: Spawned, token: string) {
  const base = server.baseUrl;
  const afterStartMb = server.rssMb();
  const label = (name: string) => `ours ${name} (${database})`;
  if (database === 'pglite') await record(runtime, label('GET /ajax/health/'), () => measure({ url: `${base}/ajax/health/` }, plan));
  await record(runtime, label('GET /ajax/subject/all'), () => measure({ url: `${base}/ajax/subject/all` }, plan));
  if (database === 'postgres') {
    await record(runtime, label('GET /ajax/subject/all with a valid token'), () =>
      measure({ url: `${base}/ajax/subject/all`, headers: { Authorization: token } }, plan),
    );
    await record(runtime, label('public one-row GET /ajax/subject/get'), async () =>
      (await routeExists(base, '/ajax/subject/get?sid=free')) ? measure({ url: `${base}/ajax/subject/get?sid=free` }, plan) : { skipped: 'route not there' },
    );
    await record(runtime, label('protected one-row POST /ajax/account/'), () =>
      measure({ url: `${base}/ajax/account/`, method: 'POST', headers: { Authorization: token } }, plan),
    );
    for (const path of ['/ajax/board/list?sid=free&page=1', '/ajax/board/read?bno=2']) {
      await record(runtime, label(`GET ${path}`), async () =>
        (await routeExists(base, path)) ? measure({ url: base + path }, plan) : { skipped: 'route not there' },
      );
    }
    await record(runtime, label('ALB-like mix (probes + traffic)'), async () =>
      (await routeExists(base, '/ajax/board/list?sid=free&page=1')) ? measureMix(base, plan) : { skipped: 'board routes not there' },
    );
  }
  memory.push({ runtime: runtime.name, database, afterStartMb, afterLoadMb: server.rssMb() });
}

async function coldStart(runtime: Runtime, database: string, env: Record<string, string>) {
  const health: number[] = [];
  const subjects: number[] = [];
  for (let spawn = 0; spawn < coldStartSpawns; spawn++) {
    const server = await ours(runtime, env);
    health.push(server.readyAfterMs);
    const res = await fetch(`${server.baseUrl}/ajax/subject/all`);
    await res.arrayBuffer();
    subjects.push(performance.now() - server.startedAt);
    await server.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  coldStarts.push({ runtime: runtime.name, database, healthMs: median(health), subjectsMs: median(subjects), spawns: coldStartSpawns });
}

async function baselines(runtime: Runtime, bodyFile: string) {
  const servers: Array<[string, string, Record<string, string>]> = [
    ['raw node:http', 'raw-http.mjs', {}],
    ['bare fastify 5', 'bare-fastify.mjs', {}],
    ['express ceiling', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'ceiling' }],
    ['express res.json defaults', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'json' }],
    ['express + pino-http + helmet + cors defaults', 'bare-express.mjs', { BENCH_EXPRESS_MODE: 'stack' }],
  ];
  for (const [name, script, env] of servers) {
    const server = await startServer({
      runtime,
      script: join(root, 'bench/servers', script),
      env: { BENCH_BODY_FILE: bodyFile, NODE_PATH: join(root, 'node_modules'), ...env },
      cpu: serverCpu,
      logFile: join(work, `${script}.log`),
      readyPath: '/ajax/subject/all',
    });
    await record(runtime, name, () => measure({ url: `${server.baseUrl}/ajax/subject/all` }, plan));
    await server.stop();
  }
}

async function main() {
  log(`building dist/ …`);
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  const schema = await createSchema();
  const token = await createAccessTokens(benchSecret).issue({ id: 'bench1', role: 'ROLE_USER_CERT' });
  const bodyFile = join(work, 'subjects.json');
  try {
    for (const [index, runtime] of runtimes().entries()) {
      log(`\n== ${runtime.name}`);
      const postgres = await ours(runtime, { DATABASE_URL: schema.url });
      if (index === 0) {
        await seedForum(schema.url, 3000);
        writeFileSync(bodyFile, Buffer.from(await (await fetch(`${postgres.baseUrl}/ajax/subject/all`)).arrayBuffer()));
      }
      await measureOurs(runtime, 'postgres', postgres, token);
      await postgres.stop();

      const dataDir = join(work, `pglite-${index}`);
      const embedded = await ours(runtime, { DATA_DIR: dataDir });
      await measureOurs(runtime, 'pglite', embedded, token);
      await embedded.stop();

      await baselines(runtime, bodyFile);
      log('  cold starts …');
      await coldStart(runtime, 'postgres', { DATABASE_URL: schema.url });
      await coldStart(runtime, 'pglite (existing data dir)', { DATA_DIR: dataDir });
    }
  } finally {
    await schema.drop();
  }
  notes.push(
    `load generator: autocannon in this process pinned to CPU 0 (taskset), servers pinned to CPU ${serverCpu}; PostgreSQL is the machine's own server, unpinned (it shares the cores).`,
    'the access log is on (LOG_LEVEL=info) for every case of ours, written to a file.',
    `rss of the benchmark process itself: ${rssMbOf(process.pid)} MB (not part of any figure).`,
  );
  const report: Report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), platform: `${process.platform} ${process.arch}` },
    plan: { ...plan, coldStartSpawns },
    cases,
    coldStarts,
    memory,
    targets: [],
    notes,
  };
  report.targets = evaluateTargets(report, runtimes()[0]!.name);
  writeReport(report, new URL('results/', import.meta.url));
  log(`\n${(await import('./lib/report.ts')).toMarkdown(report)}`);
  log(`written: bench/results/latest.json and latest.md`);
}

await main();
