import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { runLoad, type Outcome } from './harness/load.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './harness/postgres.ts';

const connectTimeoutMs = 1000;
const outageMs = 5000;

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - started;
}

const statusOf = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { Origin: frontOrigin } });

describe('Database outage behind the load balancer', () => {
  let database: ThrowawayPostgres;
  let cluster: Cluster;
  before(async () => {
    database = await startThrowawayPostgres();
    cluster = await startCluster({
      databaseUrl: database.url,
      serverEnv: { DB_CONNECT_TIMEOUT_MS: String(connectTimeoutMs), DB_STATEMENT_TIMEOUT_MS: '2000', DB_PROBE_INTERVAL_MS: '500' },
    });
  });
  after(async () => {
    await cluster?.stop();
    await database?.destroy();
  });

  it('When PostgreSQL stops mid-load, then targets stay in the pool, database routes answer 503 JSON with CORS, and all recovers without a restart', { timeout: 90_000 }, async (t) => {
    const pids = cluster.servers.map((server) => server.child.pid);
    const outcomes: Array<{ outcome: Outcome; sentAt: number }> = [];
    const statusesSeen = new Set<string>();
    const times = { stoppedAt: 0, restartedAt: 0, readinessFailedMs: [] as number[], readinessBackMs: [] as number[], routeBackMs: 0 };

    const outage = (async () => {
      await sleep(2000);
      times.stoppedAt = Date.now();
      await database.stop();
      const watchPool = setInterval(() => void cluster.haproxy.stats().then((stats) => stats.forEach((stat) => statusesSeen.add(`${stat.backend}/${stat.server} ${stat.status}`))), 200);
      for (const port of cluster.ports) {
        times.readinessFailedMs.push(await pollUntil('readiness 503', async () => (await statusOf(port, '/ajax/health/ready')).status === 503, 10_000));
      }
      const unavailable = await statusOf(cluster.haproxy.port, '/ajax/subject/all');
      const health = await statusOf(cluster.haproxy.port, '/ajax/health/');
      await sleep(Math.max(0, times.stoppedAt + outageMs - Date.now()));
      clearInterval(watchPool);

      times.restartedAt = Date.now();
      await database.start();
      times.routeBackMs = await pollUntil('route back', async () => (await statusOf(cluster.haproxy.port, '/ajax/subject/all')).status === 200, 15_000);
      for (const port of cluster.ports) {
        times.readinessBackMs.push(await pollUntil('readiness 200', async () => (await statusOf(port, '/ajax/health/ready')).status === 200, 15_000));
      }
      await sleep(2000);
      return { unavailable, unavailableBody: await unavailable.json(), health };
    })();

    const report = await runLoad({
      port: cluster.haproxy.port,
      requests: [{ method: 'GET', path: '/ajax/subject/all', headers: { Origin: frontOrigin }, expect: [200, 503] }],
      concurrency: 4,
      ratePerSecond: 80,
      durationMs: 10_000,
      until: outage,
      maxDurationMs: 60_000,
      maxRequests: 6000,
      onOutcome: (outcome, _spec, sentAt) => outcomes.push({ outcome, sentAt }),
    });
    const { unavailable, unavailableBody, health } = await outage;

    const during = outcomes.filter(({ sentAt }) => sentAt >= times.stoppedAt && sentAt < times.restartedAt).map(({ outcome }) => outcome);
    const settledAfter = times.restartedAt + times.routeBackMs + 500;
    const afterRecovery = outcomes.filter(({ sentAt }) => sentAt > settledAfter).map(({ outcome }) => outcome);
    const unavailableAnswers = outcomes.map(({ outcome }) => outcome).filter((outcome) => outcome.status === 503);
    const slowest = Math.round(Math.max(...during.map((outcome) => outcome.ms)));
    t.diagnostic(`requests sent ${report.sent}: ${JSON.stringify(report.statuses)}; unexpected ${report.failed} ${JSON.stringify(report.failures)}`);
    t.diagnostic(`during the ${outageMs} ms outage: ${during.length} requests, ${during.filter((o) => o.status === 503).length} answered 503 by the server, slowest ${slowest} ms`);
    t.diagnostic(`readiness 503 after ${times.readinessFailedMs.join(' / ')} ms; route 200 again ${times.routeBackMs} ms and readiness 200 ${times.readinessBackMs.join(' / ')} ms after PostgreSQL restarted`);
    t.diagnostic(`load balancer pool during the outage: ${[...statusesSeen].sort().join(', ')}`);

    assert.equal(report.failed, 0);
    assert.ok(unavailableAnswers.length > 0, 'some load requests met the outage');
    assert.ok(unavailableAnswers.every((outcome) => outcome.fromServer && outcome.headers?.['access-control-allow-origin'] === frontOrigin), 'every 503 is ours, with CORS');
    assert.ok(slowest < connectTimeoutMs + 1500, `a request took ${slowest} ms during the outage`);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('access-control-allow-origin'), frontOrigin);
    assert.equal((unavailableBody as { error: { code: string } }).error.code, 'DATABASE_UNAVAILABLE');
    assert.equal(health.status, 200);
    assert.deepEqual([...statusesSeen].filter((status) => status.startsWith('targets/') && !status.endsWith(' UP')), []);
    assert.ok(afterRecovery.length > 0 && afterRecovery.every((outcome) => outcome.status === 200), 'every request after recovery succeeds');
    assert.deepEqual(cluster.servers.map((server) => server.child.pid), pids, 'no server was restarted');
    assert.ok(cluster.servers.every((server) => server.child.exitCode === null));
  });
});
