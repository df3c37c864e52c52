// CPU profile of our server under load: `taskset -c 0 npx node bench/profile.ts [options] <path> [<path> …]`.
// Starts dist/server.js with --cpu-prof pinned to CPU 1 (like the benchmark), drives autocannon at each path in
// turn (after a warm-up of every path; at --rate requests per second if given), stops the server (which writes
// the profile) and prints µs per request by layer and by middleware (bench/lib/middleware.ts) for each path
// (and the difference from the first path), then self/inclusive time per function and per package over the
// whole run. The per-route account of bench/results/latest.md is `npm run bench -- --profile-only`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { formatSummary, readProfile, summarise, type CallFrame } from './lib/cpu-profile.ts';
import { bucketsIn, formatLayers, nearestLayer, type LayerWindow } from './lib/layers.ts';
import { middlewareOfStack } from './lib/middleware.ts';
import { benchSecret, createSchema, productionEnv, seedForum } from './lib/fixtures.ts';
import { imageNodeFlags, projectNode, startServer } from './lib/processes.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string', default: 'postgres' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string' },
    connections: { type: 'string', default: '50' },
    method: { type: 'string', default: 'GET' },
    token: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    'no-profile': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    // Another build (for instance a "before" one under node_modules/.cache/, so its imports resolve): not rebuilt.
    script: { type: 'string' },
    top: { type: 'string', default: '30' },
  },
});
const paths = positionals.length > 0 ? positionals : ['/ajax/subject/all'];
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'forum-profile-'));

if (!values['no-build'] && values.script === undefined) execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const schema = values.db === 'postgres' ? await createSchema() : undefined;
if (schema) await seedForum(schema.url, 3000);
try {
  const server = await startServer({
    runtime: projectNode,
    script: values.script === undefined ? join(root, 'dist/server.js') : resolve(values.script),
    env: {
      ...productionEnv,
      ...(schema ? { DATABASE_URL: schema.url } : { DATA_DIR: join(work, 'data') }),
      ...Object.fromEntries(values.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
    },
    cpu: 1,
    logFile: join(work, 'server.log'),
    readyPath: '/ajax/health/',
    nodeArgs: [...imageNodeFlags(), ...(values['no-profile'] ? [] : ['--cpu-prof', `--cpu-prof-dir=${work}`]), ...values['node-arg']],
  });
  const afterStartMb = server.rssMb();
  const token = values.token ? await createAccessTokens(benchSecret).issue({ id: 'bench1', role: 'ROLE_USER_CERT' }) : undefined;
  const load = (path: string, seconds: number) =>
    autocannon({
      url: server.baseUrl + path,
      method: values.method as 'GET' | 'POST',
      headers: { Origin: 'https://yongheonn.com', ...(token ? { Authorization: token } : {}) },
      connections: Number(values.connections),
      duration: seconds,
      ...(values.rate === undefined ? {} : { overallRate: Number(values.rate) }),
    });
  for (const path of paths) await load(path, Number(values.warmup));
  const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
  const loads: Array<{ path: string; requests: number; cpuUsPerRequest: number; window: LayerWindow }> = [];
  for (const path of paths) {
    const cpuBefore = server.cpuMs();
    const systemBefore = server.systemCpuMs();
    const fromUs = monotonicUs();
    const result = await load(path, Number(values.seconds));
    const window = { fromUs, toUs: monotonicUs() };
    const cpuUsPerRequest = Math.round(((server.cpuMs() - cpuBefore) * 1000) / result.requests.total);
    const systemUsPerRequest = Math.round(((server.systemCpuMs() - systemBefore) * 1000) / result.requests.total);
    loads.push({ path, requests: result.requests.total, cpuUsPerRequest, window });
    console.log(`${values.method} ${path}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, server CPU ${cpuUsPerRequest} µs/request (${systemUsPerRequest} of them in the kernel)`);
  }
  const afterLoadMb = server.rssMb();
  await server.stop();
  console.log(`rss after start ${afterStartMb} MB, after load ${afterLoadMb} MB; server log: ${join(work, 'server.log')}`);
  const profileName = readdirSync(work).find((name) => name.endsWith('.cpuprofile'));
  if (profileName) {
    const file = join(work, profileName);
    const profile = readProfile(file);
    const by = (bucketOf: (stack: readonly CallFrame[]) => string) =>
      loads.map((entry) => ({ label: entry.path, requests: entry.requests, cpuUsPerRequest: entry.cpuUsPerRequest, layers: bucketsIn(profile, [entry.window], bucketOf) }));
    console.log(`\n${formatLayers(by(nearestLayer))}`);
    console.log(`\n${formatLayers(by(middlewareOfStack), 'middleware (bench/lib/middleware.ts)')}`);
    console.log(`\n${file} (whole run, start and warm-up included)\n${formatSummary(summarise(file), Number(values.top))}`);
  }
} finally {
  await schema?.drop();
}
