import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createAccessTokens } from '../../../src/features/auth/access-token.ts';
import { hashPassword } from '../../../src/features/auth/passwords.ts';
import { createPostgresSchema, frontOrigin, testSecret } from '../../helpers/app.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { startHaproxy } from './haproxy.ts';
import { runLoad, type LoadReport } from './load.ts';

const loginLimit = 20;
const adminToken = () => createAccessTokens(testSecret).issue({ id: 'admin', role: 'ROLE_ADMIN' });

async function call(port: number, path: string, init: RequestInit & { token?: string; from?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('Origin', frontOrigin);
  if (init.token) headers.set('Authorization', init.token);
  if (init.from) headers.set('X-Forwarded-For', init.from);
  if (init.body) headers.set('Content-Type', 'application/json');
  return fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers, signal: AbortSignal.timeout(15_000) });
}

/** Sends `count` wrong passwords for one account through `port`, four at a time, and counts the statuses. */
async function bruteForce(port: number, from: string, count: number): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await call(port, '/ajax/login/', { method: 'POST', from, body: JSON.stringify({ id: 'victim', pw: `wrong-guess-${next}` }) });
      await res.arrayBuffer();
      counts[res.status] = (counts[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return counts;
}

/** Polls `check` every 2 ms until it holds, answering how long that took (fails after `withinMs`). */
async function seenWithin(withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return Math.round(performance.now() - started);
    if (performance.now() - started > withinMs) assert.fail(`not seen within ${withinMs} ms`);
    await sleep(2);
  }
}

const subjectIds = async (port: number) => ((await (await call(port, '/ajax/subject/all')).json()) as Array<{ id: string }>).map(({ id }) => id);
const listedPosts = async (port: number) => ((await (await call(port, '/ajax/board/list?sid=free&page=1')).json()) as Array<{ bno: number }>).map(({ bno }) => bno);

function throughput(report: LoadReport): number {
  return Math.round((report.sent / report.durationMs) * 1000);
}

/** Reads, saturating: the subject list and the first page of a subject, from 16 connections for 3 s. */
function saturate(port: number): Promise<LoadReport> {
  return runLoad({
    port,
    requests: [
      { method: 'GET', path: '/ajax/subject/all', expect: [200] },
      { method: 'GET', path: '/ajax/board/list?sid=free&page=1', expect: [200] },
    ],
    concurrency: 16,
    ratePerSecond: 20_000,
    durationMs: 3000,
    maxDurationMs: 5000,
    maxRequests: 60_000,
  });
}

/**
 * Two server processes behind HAProxy (round robin) on one PostgreSQL schema, as two instances behind the ALB:
 * a login brute force over both, a rolling restart of both, a write on one seen by the other, and the read
 * throughput of one and of two instances. `serverEnv` picks the rate-limit store (REDIS_URL or not).
 */
export function describeSharedState(title: string, serverEnv: Record<string, string> = {}): void {
  const expectedStore = serverEnv.REDIS_URL ? 'redis' : 'postgres';
  describe(title, { timeout: 110_000 }, () => {
    let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
    let cluster: Cluster;
    let admin: string;
    // Behind the load balancer every guess comes from this one visitor (TRUST_PROXY=loopback names HAProxy).
    const attacker = `203.0.113.${randomInt(1, 255)}`;

    before(async () => {
      schema = await createPostgresSchema();
      admin = await adminToken();
      cluster = await startCluster({
        databaseUrl: schema.url,
        serverEnv: { SUBJECT_LIST_CACHE_MS: '5000', BOARD_LIST_CACHE_MS: '1000', ...serverEnv },
        haproxy: { checkIntervalMs: 500, rise: 1, fall: 1 },
      });
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await client.query(`insert into "user" (id, nick, email, auth, pw) values ('admin', 'admin', 'admin@example.com', 3, null), ('victim', 'victim', 'victim@example.com', 2, $1)`, [
          await hashPassword('a-long-password-1'),
        ]);
        await client.query(`insert into subject (id, title, description, admin) values ('free', 'Free', '', 'admin') on conflict (id) do nothing`);
      } finally {
        await client.end();
      }
    });
    after(async () => {
      await cluster?.stop();
      await schema?.drop();
    });

    it(`When one visitor guesses a password through the load balancer over both instances, then the ${loginLimit + 1}th guess in all is refused`, async (t) => {
      const stores = cluster.servers.map((server) => server.logs.find((line) => line.msg === 'listening')?.rateLimits);
      assert.deepEqual(stores, [expectedStore, expectedStore], 'where each instance counts');
      const counts = await bruteForce(cluster.haproxy.port, attacker, loginLimit + 10);
      t.diagnostic(`${loginLimit + 10} guesses round-robin over 2 instances: ${JSON.stringify(counts)}`);
      assert.deepEqual(counts, { 401: loginLimit, 429: 10 });
    });

    it('When both instances are restarted one after the other, then the guesses stay refused', async (t) => {
      for (const index of [0, 1]) {
        const timing = await cluster.restart(index);
        assert.equal(timing.exitCode, 0);
      }
      const counts = await bruteForce(cluster.haproxy.port, attacker, 4);
      t.diagnostic(`after the rolling restart: ${JSON.stringify(counts)}`);
      assert.deepEqual(counts, { 429: 4 });
    });

    it('When a subject is created through instance A, then instance B, which had the list cached, lists it within 100 ms', async (t) => {
      const [a, b] = cluster.ports as [number, number];
      assert.ok(!(await subjectIds(b)).includes('news'));
      const created = await call(a, '/ajax/subject/regi', { method: 'POST', token: admin, body: JSON.stringify({ id: 'news', title: 'News', description: '', admin: 'admin' }) });
      assert.equal(created.status, 200, await created.text());
      const ms = await seenWithin(100, async () => (await subjectIds(b)).includes('news'));
      t.diagnostic(`subject created on A, listed by B after ${ms} ms`);
    });

    it('When a post is deleted through instance A, then instance B, which had the page cached, drops it within 100 ms', async (t) => {
      const [a, b] = cluster.ports as [number, number];
      const created = await call(a, '/ajax/board/create', { method: 'POST', token: admin, body: JSON.stringify({ sid: 'free', title: 'soon gone', content: '<p>x</p>', pw: null }) });
      assert.equal(created.status, 200, await created.clone().text());
      const bno = (await created.json()) as number;
      await seenWithin(100, async () => (await listedPosts(b)).includes(bno));
      const deleted = await call(a, '/ajax/board/delete', { method: 'POST', token: admin, body: String(bno) });
      assert.equal(deleted.status, 200, await deleted.text());
      const ms = await seenWithin(100, async () => !(await listedPosts(b)).includes(bno));
      t.diagnostic(`post deleted on A, gone from B's list after ${ms} ms`);
    });

    it('When reads saturate one instance and then two, then both throughputs are printed side by side', async (t) => {
      const single = await startHaproxy({ targets: [{ name: 't1', port: cluster.ports[0]! }], checkIntervalMs: 500, rise: 1, fall: 1 });
      try {
        await single.waitForStatus('t1', 'UP');
        const one = await saturate(single.port);
        const two = await saturate(cluster.haproxy.port);
        t.diagnostic(`throughput (reads, 16 connections, 3 s): 1 instance ${throughput(one)} req/s (p99 ${one.p99Ms} ms) | 2 instances ${throughput(two)} req/s (p99 ${two.p99Ms} ms)`);
        assert.equal(one.failed, 0, JSON.stringify(one.failures));
        assert.equal(two.failed, 0, JSON.stringify(two.failures));
      } finally {
        await single.stop();
      }
    });
  });
}
