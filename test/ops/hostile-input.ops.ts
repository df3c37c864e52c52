import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createAccessTokens } from '../../src/features/auth/access-token.ts';
import { createPostgresSchema, startTestApp, testSecret } from '../helpers/app.ts';
import { productionEnv, spawnServer, type ServerProcess } from '../helpers/server-process.ts';
import { samplePath } from './harness/bypass-variants.ts';
import { stopChild, track } from './harness/children.ts';
import { hostileRequest, type KnownRoute } from './harness/hostile-requests.ts';
import { countByKind } from './harness/load.ts';
import { rawExchange, requestBytes, type RawAnswer } from '../helpers/raw-socket.ts';

const stackTrace = /\n\s+at\s|\bat [\w.<>]+ \(.*:\d+:\d+\)|node_modules|\.[tj]s:\d+/;
const sqlText = /\bselect\s.+\sfrom\s|\binsert\s+into\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b|syntax error at|relation "|column "|violates .*constraint|SQLSTATE|kysely/i;

/** What a hostile answer must never be: a 5xx, a stack trace, SQL, or an answer that is not ours. */
function problemsOf(answer: RawAnswer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  if (stackTrace.test(answer.body)) problems.push('stack trace in the body');
  if (sqlText.test(answer.body)) problems.push('SQL in the body');
  if (answer.status > 0 && !answer.headers['x-request-id']) problems.push(`${answer.status} without X-Request-Id`);
  return problems;
}

async function knownRoutes(): Promise<KnownRoute[]> {
  // The routes as the app declares them (app.locals.routes), so routes added later are fuzzed too.
  const declared = await startTestApp('postgres');
  // With the fields their schemas declare, which the aimed cases fill with any code points (issue 14).
  const fields = (schema: unknown) => Object.keys((schema as { shape?: object } | undefined)?.shape ?? {});
  const routes = declared.app.locals.routes.map((route) => ({
    method: route.method.toUpperCase(),
    path: samplePath(route.path),
    query: fields(route.query),
    ...(route.body ? { body: fields(route.body) } : {}),
  }));
  await declared.close();
  return [...routes, { method: 'GET', path: '/ajax/health/' }, { method: 'GET', path: '/ajax/health/ready' }, { method: 'GET', path: '/' }];
}

describe('Hostile input against a real server process', () => {
  let server: ServerProcess;
  let routes: KnownRoute[];
  let dropSchema: () => Promise<void>;
  before(async () => {
    routes = await knownRoutes();
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    server = await spawnServer({ ...productionEnv, DATABASE_URL: schema.url, SHUTDOWN_DRAIN_MS: '0' });
    track(server.child);
  });
  after(async () => {
    if (server) await stopChild(server.child, 'SIGKILL');
    await dropSchema?.();
  });

  it('When thousands of random requests hit every route, then none gets a 5xx, a stack trace or SQL, and the server stays up', { timeout: 120_000 }, async (t) => {
    const accessTokens = createAccessTokens(testSecret);
    const tokens = [await accessTokens.issue({ id: 'fuzzer1', role: 'ROLE_USER_CERT' }), await accessTokens.issue({ id: 'admin', role: 'ROLE_ADMIN' })];
    const problems: string[] = [];
    const statuses: Record<string, number> = {};
    const result = await fc.check(
      fc.asyncProperty(hostileRequest(routes, tokens), async (request) => {
        const answer = await rawExchange(server.port, request, { timeoutMs: 15_000 });
        const key = answer.status ? String(answer.status) : `no answer (${answer.error})`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        const found = problemsOf(answer);
        const bodyLength = request.body === undefined ? 0 : Buffer.byteLength(request.body);
        // A body over the 512 kB limit is refused (413) and the connection closed before the client has written
        // it all: the client's write then fails (EPIPE/ECONNRESET) before it reads the answer. Not a server fault;
        // the server staying up is checked below.
        const cutOff = bodyLength > 512 * 1024 && (answer.error === 'EPIPE' || answer.error === 'ECONNRESET');
        if (answer.status === 0 && request.method !== 'CONNECT' && !cutOff) found.push(`no answer: ${answer.error}`);
        if (found.length > 0) {
          const sent = `${request.method} ${String(request.target).slice(0, 80)} ${JSON.stringify(request.headers).slice(0, 120)} body ${bodyLength} bytes`;
          problems.push(`${found.join(', ')} ← ${sent} → ${answer.body.slice(0, 120)}`);
        }
        // Every case runs (no stop at the first problem): the list below names each failing request.
        return true;
      }),
      { numRuns: 5000, interruptAfterTimeLimit: 50_000, markInterruptAsFailure: false, seed: Number(process.env.FUZZ_SEED ?? 14_014) },
    );
    const problemKinds = countByKind(problems.map((problem) => problem.split(' ← ')[0]!));
    t.diagnostic(`cases tried ${result.numRuns} (seed ${result.seed}), problems ${problems.length} ${JSON.stringify(problemKinds)}`);
    t.diagnostic(`answers ${JSON.stringify(statuses)}`);
    const health = await rawExchange(server.port, { method: 'GET', target: '/ajax/health/' });
    const serverErrors = server.logs.filter((line) => line.level === 'fatal' || line.level === 'error');
    t.diagnostic(`afterwards: health ${health.status}, process ${server.child.exitCode === null ? 'running' : `exited ${server.child.exitCode}`}, ${serverErrors.length} error log lines`);
    assert.deepEqual([...new Set(problems)].slice(0, 20), []);
    assert.ok(result.numRuns >= 1000, `only ${result.numRuns} cases ran`);
    assert.equal(health.status, 200);
    assert.equal(server.child.exitCode, null);
    assert.deepEqual(serverErrors.map((line) => line.msg), []);
  });

  it('When 40 clients dribble their headers (slowloris) for 6 s, then other requests are still answered promptly', { timeout: 60_000 }, async (t) => {
    const head = requestBytes({ method: 'GET', target: '/ajax/subject/all', headers: [['X-Slow', 'y'.repeat(60)]] }, 'slow').toString('latin1');
    const pieces = [...head.slice(0, -4)].map((char) => Buffer.from(char, 'latin1'));
    const slow = Array.from({ length: 40 }, () => rawExchange(server.port, pieces.slice(0, 60), { timeoutMs: 6000, pieceDelayMs: 100 }));
    const latencies: number[] = [];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const started = performance.now();
      const answer = await rawExchange(server.port, { method: 'GET', target: '/ajax/subject/all' });
      latencies.push(performance.now() - started);
      assert.equal(answer.status, 200);
      await sleep(50);
    }
    await Promise.all(slow);
    latencies.sort((a, b) => a - b);
    const worst = Math.round(latencies.at(-1)!);
    t.diagnostic(`${latencies.length} requests answered during the slowloris, slowest ${worst} ms`);
    assert.ok(worst < 1000, `slowest ${worst} ms`);
    assert.equal((await rawExchange(server.port, { method: 'GET', target: '/ajax/health/' })).status, 200);
  });
});
