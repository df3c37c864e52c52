import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { runLoad, type Outcome } from './harness/load.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './harness/postgres.ts';

const connectTimeoutMs = 1000;
const statementTimeoutMs = 2000;
// The longest a request may wait on a dead database: a pooled connection to a hung server gives up after
// the statement timeout + 1 s (the client-side query timeout), a new one after the connect timeout.
const longestWaitMs = statementTimeoutMs + 1000 + connectTimeoutMs;
const outageMs = 5000;

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - started;
}

const get = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { Origin: frontOrigin } });

interface Outage {
  begin(): Promise<void> | void;
  end(): Promise<void> | void;
}

interface OutageTimes {
  began: number;
  ended: number;
  readinessFailedMs: number[];
  routeBackMs: number;
  readinessBackMs: number[];
  /** Every `server status` HAProxy reported while the database was away. */
  pool: Set<string>;
}

/** Takes the database away for `outageMs`, probing readiness and the route meanwhile, then brings it back. */
async function runOutage(cluster: Cluster, outage: Outage) {
  const times: OutageTimes = { began: 0, ended: 0, readinessFailedMs: [], routeBackMs: 0, readinessBackMs: [], pool: new Set() };
  await sleep(2000);
  times.began = Date.now();
  await outage.begin();
  const watchPool = setInterval(() => void cluster.haproxy.stats().then((stats) => stats.forEach((stat) => times.pool.add(`${stat.server} ${stat.status}`))), 200);
  let during: { unavailable: Response; unavailableBody: { error: { code: string } }; health: Response };
  try {
    for (const port of cluster.ports) {
      times.readinessFailedMs.push(await pollUntil('readiness 503', async () => (await get(port, '/ajax/health/ready')).status === 503, longestWaitMs + 2000));
    }
    const unavailable = await get(cluster.haproxy.port, '/ajax/subject/all');
    during = { unavailable, unavailableBody: (await unavailable.json()) as { error: { code: string } }, health: await get(cluster.haproxy.port, '/ajax/health/') };
    await sleep(Math.max(0, times.began + outageMs - Date.now()));
  } finally {
    // Also when a check above failed: a database left stopped or frozen would keep the file from ever ending.
    clearInterval(watchPool);
    times.ended = Date.now();
    await outage.end();
  }
  times.routeBackMs = await pollUntil('route back', async () => (await get(cluster.haproxy.port, '/ajax/subject/all')).status === 200, 15_000);
  for (const port of cluster.ports) {
    times.readinessBackMs.push(await pollUntil('readiness 200', async () => (await get(port, '/ajax/health/ready')).status === 200, 15_000));
  }
  await sleep(2000);
  return { times, ...during };
}

/** A load through the load balancer while the database goes away and comes back; prints and checks it all. */
async function outageUnderLoad(t: TestContext, cluster: Cluster, outage: Outage) {
  const pids = cluster.servers.map((server) => server.child.pid);
  const outcomes: Array<{ outcome: Outcome; sentAt: number }> = [];
  const script = runOutage(cluster, outage);
  const report = await runLoad({
    port: cluster.haproxy.port,
    requests: [{ method: 'GET', path: '/ajax/subject/all', headers: { Origin: frontOrigin }, expect: [200, 503] }],
    concurrency: 8,
    ratePerSecond: 80,
    durationMs: 10_000,
    until: script,
    maxDurationMs: 60_000,
    maxRequests: 6000,
    onOutcome: (outcome, _spec, sentAt) => outcomes.push({ outcome, sentAt }),
  });
  const { times, unavailable, unavailableBody, health } = await script;

  const during = outcomes.filter(({ sentAt }) => sentAt >= times.began && sentAt < times.ended).map(({ outcome }) => outcome);
  const recovered = outcomes.filter(({ sentAt }) => sentAt > times.ended + times.routeBackMs + 500).map(({ outcome }) => outcome);
  const refusals = outcomes.map(({ outcome }) => outcome).filter((outcome) => outcome.status === 503);
  const slowest = Math.round(Math.max(...outcomes.map(({ outcome }) => outcome.ms)));
  t.diagnostic(`requests sent ${report.sent}: ${JSON.stringify(report.statuses)}; unexpected ${report.failed} ${JSON.stringify(report.failures)}; p99 ${report.p99Ms} ms, slowest ${slowest} ms`);
  t.diagnostic(`during the ${outageMs} ms outage: ${during.length} requests, ${during.filter((outcome) => outcome.status === 503).length} answered 503 by the server`);
  t.diagnostic(`readiness 503 after ${times.readinessFailedMs.join(' / ')} ms; route 200 again ${times.routeBackMs} ms and readiness 200 ${times.readinessBackMs.join(' / ')} ms after the database returned`);
  t.diagnostic(`load balancer pool during the outage: ${[...times.pool].sort().join(', ')}`);

  assert.equal(report.failed, 0);
  assert.ok(refusals.length > 0, 'some load requests met the outage');
  assert.ok(refusals.every((outcome) => outcome.fromServer && outcome.headers?.['access-control-allow-origin'] === frontOrigin), 'every 503 is ours, with CORS');
  assert.ok(slowest < longestWaitMs + 1000, `a request took ${slowest} ms`);
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers.get('access-control-allow-origin'), frontOrigin);
  assert.equal(unavailableBody.error.code, 'DATABASE_UNAVAILABLE');
  assert.equal(health.status, 200);
  assert.deepEqual([...times.pool].filter((status) => !status.endsWith(' UP')), [], 'every target stayed in the pool');
  assert.ok(recovered.length > 0 && recovered.every((outcome) => outcome.status === 200), 'every request after recovery succeeds');
  assert.deepEqual(cluster.servers.map((server) => server.child.pid), pids, 'no server was restarted');
  assert.ok(cluster.servers.every((server) => server.child.exitCode === null));
}

describe('Database outage behind the load balancer', () => {
  let database: ThrowawayPostgres;
  let cluster: Cluster;
  before(async () => {
    database = await startThrowawayPostgres();
    cluster = await startCluster({
      databaseUrl: database.url,
      // The subjects list is cached in process for 5 s by default, which would answer the load from memory
      // through most of the outage; with the cache off every request meets the database, which is the point.
      serverEnv: {
        DB_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
        DB_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
        DB_PROBE_INTERVAL_MS: '500',
        SUBJECT_LIST_CACHE_MS: '0',
      },
    });
  });
  after(async () => {
    await cluster?.stop();
    await database?.destroy();
  });

  it('When PostgreSQL shuts down mid-load and starts again, then targets stay in the pool, database routes answer 503 JSON with CORS, and all recovers without a restart', { timeout: 90_000 }, async (t) => {
    await outageUnderLoad(t, cluster, { begin: () => database.stop(), end: () => database.start() });
  });

  it('When PostgreSQL hangs mid-load (every process frozen, connections open), then the same, with no request waiting longer than the timeouts', { timeout: 90_000 }, async (t) => {
    await outageUnderLoad(t, cluster, { begin: () => database.freeze(), end: () => database.thaw() });
  });
});
