// A/B of two builds or settings of our server on one path, measured in alternating rounds (A, B, A, B, …)
// so both see the same background load: `taskset -c 0 npx node bench/compare.ts --a <server.js> --b <server.js>
// [--a-env K=V] [--b-env K=V] [--a-arg <node flag>] [--b-arg <node flag>] [--token] [--method POST] [--rate N] [--mix | <path>]`.
// Both get the Dockerfile's node flags unless --no-image-flags.
// Prints the median req/s and server CPU µs per request of each, and B relative to A. With --rate both get
// the same offered load, which keeps CPU time per request comparable (a faster server also batches more).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { benchSecret, createSchema, productionEnv, seedForum } from './lib/fixtures.ts';
import { fromFrontEnd, loadRound, summariseRounds, watchingServer, type Round } from './lib/load.ts';
import { mixRound } from './lib/mix.ts';
import { imageNodeFlags, projectNode, startServer, type Spawned } from './lib/processes.ts';
import { loopDelayPreload, serverDelays } from './lib/server-delays.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    a: { type: 'string', default: 'dist/server.js' },
    b: { type: 'string', default: 'dist/server.js' },
    'a-env': { type: 'string', multiple: true, default: [] },
    'b-env': { type: 'string', multiple: true, default: [] },
    'a-arg': { type: 'string', multiple: true, default: [] },
    'b-arg': { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    method: { type: 'string', default: 'GET' },
    token: { type: 'boolean', default: false },
    rate: { type: 'string' },
    mix: { type: 'boolean', default: false },
    'no-image-flags': { type: 'boolean', default: false },
  },
});
const path = positionals[0] ?? '/ajax/subject/all';
const work = mkdtempSync(join(tmpdir(), 'forum-compare-'));
const envOf = (pairs: string[]) => Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

const schema = await createSchema();
const servers: Spawned[] = [];
try {
  // With --mix, each server reports its event-loop delay (bench/lib/loop-delay-preload.mjs) to a file of its own.
  const loopDelayFile = (which: string) => (values.mix ? join(work, `loop-delay-${which}.json`) : undefined);
  const start = (script: string, env: Record<string, string>, nodeArgs: string[], which: string) => {
    const file = loopDelayFile(which);
    const preload = file === undefined ? { nodeArgs: [], env: {} } : loopDelayPreload(file);
    return startServer({
      runtime: projectNode,
      script: resolve(script),
      env: { ...productionEnv, DATABASE_URL: schema.url, ...env, ...preload.env },
      cpu: 1,
      logFile: join(work, 'server.log'),
      readyPath: '/ajax/health/',
      nodeArgs: [...(values['no-image-flags'] ? [] : imageNodeFlags()), ...preload.nodeArgs, ...nodeArgs],
    });
  };
  await seedForum(schema.url, 3000);
  servers.push(await start(values.a, envOf(values['a-env']), values['a-arg'], 'a'));
  servers.push(await start(values.b, envOf(values['b-env']), values['b-arg'], 'b'));
  const delays = servers.map((server, which) => serverDelays(server.child.pid!, loopDelayFile('ab'[which]!)));
  const token = values.token ? await createAccessTokens(benchSecret).issue({ id: 'bench1', role: 'ROLE_USER_CERT' }) : undefined;
  const headers = { ...fromFrontEnd, ...(token ? { Authorization: token } : {}) };
  const round = (server: Spawned, seconds: number) =>
    watchingServer(server.cpuMs, () => values.mix ? mixRound(server.baseUrl, Number(values.connections), seconds, delays[servers.indexOf(server)]) : loadRound({ url: server.baseUrl + path, method: values.method as 'GET' | 'POST', headers }, Number(values.connections), seconds, values.rate === undefined ? undefined : Number(values.rate)));
  const rounds: [Round[], Round[]] = [[], []];
  for (const server of servers) await round(server, 1);
  for (let index = 0; index < Number(values.rounds); index++) {
    for (const [which, server] of servers.entries()) {
      const result = await round(server, Number(values.seconds));
      rounds[which]!.push(result);
      console.log(`${'AB'[which]}: ${result.rps} req/s, p99 ${result.p99Ms} ms, ${result.cpuUsPerRequest} µs/request, busy ${result.serverBusyPct} %, non-2xx ${result.non2xx}${result.note ? `; ${result.note}` : ''}`);
    }
  }
  const [a, b] = rounds.map(summariseRounds) as [ReturnType<typeof summariseRounds>, ReturnType<typeof summariseRounds>];
  console.log(`\n${values.method} ${path}`);
  console.log(`A ${values.a} ${values['a-env'].join(' ')} ${values['a-arg'].join(' ')}: ${a.rps} req/s (${a.rpsSpread.join('–')}), p99 ${a.p99Ms} ms, ${a.cpuUsPerRequest} µs/request`);
  console.log(`B ${values.b} ${values['b-env'].join(' ')} ${values['b-arg'].join(' ')}: ${b.rps} req/s (${b.rpsSpread.join('–')}), p99 ${b.p99Ms} ms, ${b.cpuUsPerRequest} µs/request`);
  console.log(`B ÷ A: throughput ${(b.rps / a.rps).toFixed(2)}, CPU per request ${((b.cpuUsPerRequest ?? 0) / (a.cpuUsPerRequest ?? 1)).toFixed(2)}`);
  console.log(`rss after: A ${servers[0]!.rssMb()} MB (peak ${servers[0]!.peakRssMb()}), B ${servers[1]!.rssMb()} MB (peak ${servers[1]!.peakRssMb()})`);
} finally {
  for (const server of servers) await server.stop();
  await schema.drop();
}
