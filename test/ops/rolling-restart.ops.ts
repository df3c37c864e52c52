import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { startCluster, type Cluster, type RestartTimings } from './harness/cluster.ts';
import { runLoad } from './harness/load.ts';

// Scaled-down ALB: health checks every 1 s, 2 failures to leave, 2 passes to return. The drain must outlast
// fall × interval (2 s) with a margin, as 25 s outlasts the ALB's 2 × 10 s.
const checkIntervalMs = 1000;
const drainMs = 3000;

describe('Rolling restart behind the load balancer', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({
      serverEnv: { SHUTDOWN_DRAIN_MS: String(drainMs), SHUTDOWN_TIMEOUT_MS: '5000', KEEP_ALIVE_TIMEOUT_MS: '4000', HEADERS_TIMEOUT_MS: '5000' },
      haproxy: { checkIntervalMs, rise: 2, fall: 2, poolPurgeDelayMs: 250 },
    });
  });
  after(() => cluster?.stop());

  it('When each target in turn gets SIGTERM and is started again under load, then no request fails', { timeout: 120_000 }, async (t) => {
    const restarts: RestartTimings[] = [];
    const rollingRestart = (async () => {
      await sleep(1500);
      for (const index of cluster.servers.keys()) restarts.push(await cluster.restart(index));
      await sleep(1500);
    })();
    const report = await runLoad({
      port: cluster.haproxy.port,
      requests: [
        { method: 'GET', path: '/ajax/subject/all', headers: { Origin: frontOrigin }, expect: [200] },
        { method: 'POST', path: '/ajax/account/', headers: { Origin: frontOrigin }, expect: [401] },
        { method: 'GET', path: '/ajax/subject/all', expect: [200] },
      ],
      concurrency: 8,
      ratePerSecond: 250,
      durationMs: 20_000,
      until: rollingRestart,
      maxDurationMs: 60_000,
      maxRequests: 20_000,
    });
    await rollingRestart;

    t.diagnostic(`requests sent ${report.sent}, failed ${report.failed}, p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, max ${report.maxMs} ms, over ${report.durationMs} ms`);
    t.diagnostic(`statuses ${JSON.stringify(report.statuses)}; failures ${JSON.stringify(report.failures)}`);
    for (const [index, timing] of restarts.entries()) {
      t.diagnostic(`${cluster.names[index]}: marked DOWN ${timing.markedDownMs} ms after SIGTERM (drain ${drainMs} ms), exited ${timing.exitedMs} ms (code ${timing.exitCode}), back UP ${timing.backUpMs} ms after respawn`);
    }
    assert.equal(restarts.length, 2);
    for (const timing of restarts) {
      assert.equal(timing.exitCode, 0);
      assert.ok(timing.markedDownMs < drainMs, `the load balancer took ${timing.markedDownMs} ms to notice the drain, longer than the ${drainMs} ms drain`);
    }
    assert.ok(report.sent > 2000, `only ${report.sent} requests were sent`);
    assert.equal(report.failed, 0, `failed requests: ${JSON.stringify(report.failures)}`);
  });
});
