// CPU profile of our server under load: `taskset -c 0 npx node bench/profile.ts [options] <path>`.
// Starts dist/server.js with --cpu-prof pinned to CPU 1 (like the benchmark), drives autocannon at the path,
// stops the server (which writes the profile) and prints self/inclusive time per function and per package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { formatSummary, summarise } from './lib/cpu-profile.ts';
import { benchSecret, createSchema, productionEnv, seedForum } from './lib/fixtures.ts';
import { imageNodeFlags, startServer } from './lib/processes.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: 'string', default: 'postgres' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    method: { type: 'string', default: 'GET' },
    token: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    'no-profile': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    top: { type: 'string', default: '30' },
  },
});
const path = positionals[0] ?? '/ajax/subject/all';
const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'forum-profile-'));

if (!values['no-build']) execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const schema = values.db === 'postgres' ? await createSchema() : undefined;
if (schema) await seedForum(schema.url, 3000);
try {
  const server = await startServer({
    runtime: { name: 'node', node: process.execPath, version: process.version },
    script: join(root, 'dist/server.js'),
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
  const cpuBefore = server.cpuMs();
  const result = await autocannon({
    url: server.baseUrl + path,
    method: values.method as 'GET' | 'POST',
    headers: { Origin: 'https://yongheonn.com', ...(token ? { Authorization: token } : {}) },
    connections: Number(values.connections),
    duration: Number(values.seconds),
  });
  const cpuUsPerRequest = Math.round(((server.cpuMs() - cpuBefore) * 1000) / result.requests.total);
  const afterLoadMb = server.rssMb();
  await server.stop();
  console.log(`${values.method} ${path}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, server CPU ${cpuUsPerRequest} µs/request`);
  console.log(`rss after start ${afterStartMb} MB, after load ${afterLoadMb} MB; server log: ${join(work, 'server.log')}`);
  const profile = readdirSync(work).find((name) => name.endsWith('.cpuprofile'));
  if (profile) console.log(`\n${join(work, profile)}\n${formatSummary(summarise(join(work, profile)), Number(values.top))}`);
} finally {
  await schema?.drop();
}
