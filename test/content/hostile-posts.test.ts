import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { albContract } from '../../src/alb-contract.ts';
import { contentLimits } from '../../src/content/sanitize.ts';
import { createAccessTokens } from '../../src/features/auth/access-token.ts';
import { storeUser } from '../helpers/accounts.ts';
import { databaseKinds, frontOrigin, testSecret } from '../helpers/app.ts';
import { spawnServerOn, type ServerProcess } from '../helpers/server-process.ts';
import { hostileHtml } from '../fixtures/hostile-html.ts';

const probeEveryMs = 100;
const minimumProbes = 100;
const rounds = 3;
const concurrentPosts = 3;
const posters = ['poster1', 'poster2', 'poster3', 'poster4'];

function send(port: number, agent: Agent, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * Health's thresholds (p99 < 50 ms, max < 200 ms) are judged on the server's own event loop: a timer in the
 * server process (test/fixtures/event-loop-delay.ts) measures, for every 10 ms interval, the CPU time its
 * event-loop thread spent, i.e. how long the loop was held by this process's work. Wall-clock lateness and
 * the probes' own latencies are printed too; on this shared 2-core machine they also count the time the OS
 * gave other processes, which no server can control.
 *
 * The issue's attack, against `node src/server.ts` on a port: content the sanitizer finds expensive, posted
 * three at a time by several accounts, while a load balancer's health check hits /ajax/health/ every 100 ms
 * on its own connection. Cleaning runs on worker threads within bounds, so health keeps answering at once.
 */
for (const kind of databaseKinds) {
  describe(`Hostile post content against a server process on ${kind}`, () => {
    let running: { server: ServerProcess; stop(): Promise<void> };
    const tokens: string[] = [];
    before(async () => {
      running = await spawnServerOn(
        kind,
        {},
        async (db) => {
          await db.insertInto('subject').values({ id: 'attack', title: 'attack', description: '', admin: 'poster1' }).execute();
          for (const id of posters) await storeUser(db, { id, auth: 2 });
        },
        ['--import', fileURLToPath(new URL('../fixtures/event-loop-delay.ts', import.meta.url))],
      );
      const accessTokens = createAccessTokens(testSecret);
      for (const id of posters) tokens.push(await accessTokens.issue({ id, role: 'ROLE_USER_CERT' }));
    });
    after(() => running?.stop());

    it(`When hostile HTML is posted ${rounds} times each, then every answer comes from the error catalogue, the stored posts are bounded, and the event loop answering health is held < 50 ms at p99 and < 200 ms at most`, async (t) => {
      const { port } = running.server;
      const eventLoopDelay = async () => {
        const seen = running.server.stderr().length;
        running.server.kill('SIGUSR2');
        for (let waited = 0; running.server.stderr().length === seen && waited < 5000; waited += 20) await sleep(20);
        type Summary = { p50: number; p99: number; max: number; count: number };
        return (JSON.parse(running.server.stderr().slice(seen).trim().split('\n').at(-1)!) as { eventLoop: { late: Summary; held: Summary } }).eventLoop;
      };
      await eventLoopDelay();
      const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      const postAgent = new Agent({ keepAlive: true, maxSockets: concurrentPosts });
      const latencies: number[] = [];
      let posting = true;
      const prober = (async () => {
        while (posting || latencies.length < minimumProbes) {
          const started = performance.now();
          const res = await send(port, probeAgent, 'GET', '/ajax/health/', { 'User-Agent': 'ELB-HealthChecker/2.0' });
          latencies.push(performance.now() - started);
          assert.equal(res.status, 200);
          await sleep(Math.max(0, probeEveryMs - (performance.now() - started)));
        }
      })();

      const queue = Array.from({ length: rounds }, (_, round) => hostileHtml.map((payload, index) => ({ payload, caller: (round + index) % posters.length }))).flat();
      const answers: Array<{ name: string; status: number; expected: number; text: string }> = [];
      const startedAt = performance.now();
      await Promise.all(
        Array.from({ length: concurrentPosts }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const body = JSON.stringify({ sid: 'attack', title: next.payload.name, content: next.payload.html, pw: null });
            const headers = { Origin: frontOrigin, 'Content-Type': 'application/json', Authorization: tokens[next.caller]!, 'X-Forwarded-For': `198.51.100.${next.caller + 1}` };
            const res = await send(port, postAgent, 'POST', '/ajax/board/create', headers, body);
            answers.push({ name: next.payload.name, status: res.status, expected: next.payload.status, text: res.text.slice(0, 200) });
          }
        }),
      );
      const postingMs = performance.now() - startedAt;
      posting = false;
      await prober;
      const delay = await eventLoopDelay();
      probeAgent.destroy();
      postAgent.destroy();

      const sorted = [...latencies].sort((a, b) => a - b);
      const [p50, p99, max] = [percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1)!];
      t.diagnostic(`${answers.length} posts in ${Math.round(postingMs)} ms; ${latencies.length} health probes: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
      t.diagnostic(`the server's event loop meanwhile (10 ms ticks): held by its own work p50 ${delay.held.p50} ms, p99 ${delay.held.p99} ms, max ${delay.held.max} ms; ticks late p50 ${delay.late.p50} ms, p99 ${delay.late.p99} ms, max ${delay.late.max} ms`);
      for (const answer of answers.filter((entry) => entry.status !== entry.expected)) t.diagnostic(`${answer.name}: ${answer.status} ${answer.text}`);
      assert.deepEqual(answers.filter((answer) => answer.status !== answer.expected).map(({ name, status }) => `${name}: ${status}`), []);
      for (const answer of answers.filter((entry) => entry.status >= 400)) assert.match(answer.text, /^\{"error":\{"code":"[A-Z_]+"/, answer.name);
      // The server's share of a probe's wait: what held its event loop (other processes on this shared
      // machine add their own, which the probes above include and the ALB's 5 s timeout must absorb).
      assert.ok(delay.held.p99 < 50, `the event loop was held ${delay.held.p99} ms at p99`);
      assert.ok(delay.held.max < 200, `the event loop was held ${delay.held.max} ms at most`);
      assert.ok(max < albContract.healthCheckTimeoutSeconds * 1000, `a health probe took ${max.toFixed(0)} ms: the load balancer would have counted a failure`);

      const stored = JSON.parse((await send(port, probeAgent, 'GET', '/ajax/board/list?sid=attack&page=1')).text) as Array<{ bno: number }>;
      assert.equal(stored.length, rounds * hostileHtml.filter((payload) => payload.status === 200).length);
      for (const { bno } of stored) {
        const post = JSON.parse((await send(port, probeAgent, 'GET', `/ajax/board/read?bno=${bno}`)).text) as { content: string };
        assert.ok(post.content.length <= contentLimits.maxChars, `post ${bno}: ${post.content.length} characters stored`);
      }
    });
  });
}
