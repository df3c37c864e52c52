import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { startCluster, type RestartTimings } from './harness/cluster.ts';
import { runLoad, type LoadReport } from './harness/load.ts';

// Scaled-down ALB: health checks every 1 s, 2 failures to leave, 2 passes to return. The drain must outlast
// fall × interval (2 s) with a margin, as the production 25 s outlasts the ALB's 2 × 10 s.
const checkIntervalMs = 1000;
const safeDrainMs = 3000;

/** Restarts the given targets one after the other (SIGTERM, wait for exit, start again) under a paced load. */
async function restartUnderLoad(t: TestContext, drainMs: number, restartCount: number, loadMs: number): Promise<{ report: LoadReport; restarts: RestartTimings[] }> {
  const cluster = await startCluster({
    serverEnv: { SHUTDOWN_DRAIN_MS: String(drainMs), SHUTDOWN_TIMEOUT_MS: '5000', KEEP_ALIVE_TIMEOUT_MS: '4000', HEADERS_TIMEOUT_MS: '5000' },
    haproxy: { checkIntervalMs, rise: 2, fall: 2, poolPurgeDelayMs: 250 },
  });
  try {
    const restarts: RestartTimings[] = [];
    const rollingRestart = (async () => {
      await sleep(1500);
      for (let index = 0; index < restartCount; index++) restarts.push(await cluster.restart(index));
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
      durationMs: loadMs,
      until: rollingRestart,
      maxDurationMs: 60_000,
      maxRequests: 20_000,
    });
    await rollingRestart;
    t.diagnostic(`drain ${drainMs} ms: requests sent ${report.sent}, failed ${report.failed}, p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms, max ${report.maxMs} ms, over ${report.durationMs} ms`);
    t.diagnostic(`statuses ${JSON.stringify(report.statuses)}; failures ${JSON.stringify(report.failures)}`);
    for (const [index, timing] of restarts.entries()) {
      t.diagnostic(`${cluster.names[index]}: marked DOWN ${timing.markedDownMs} ms after SIGTERM, exited ${timing.exitedMs} ms (code ${timing.exitCode}), back UP ${timing.backUpMs} ms after respawn`);
    }
    return { report, restarts };
  } finally {
    await cluster.stop();
  }
}

describe('Rolling restart behind the load balancer', () => {
  it('When each target in turn gets SIGTERM and is started again under ~20 s of load, then no request fails', { timeout: 120_000 }, async (t) => {
    const { report, restarts } = await restartUnderLoad(t, safeDrainMs, 2, 20_000);
    assert.equal(restarts.length, 2);
    for (const timing of restarts) {
      assert.equal(timing.exitCode, 0);
      assert.ok(timing.markedDownMs < safeDrainMs, `the load balancer took ${timing.markedDownMs} ms to notice the drain, longer than the ${safeDrainMs} ms drain`);
    }
    assert.ok(report.sent > 2000, `only ${report.sent} requests were sent`);
    assert.equal(report.failed, 0, `failed requests: ${JSON.stringify(report.failures)}`);
  });

  it('When the drain is shorter than the load balancer needs to notice it (0 ms), then the same restart loses requests', { timeout: 60_000 }, async (t) => {
    const { report, restarts } = await restartUnderLoad(t, 0, 1, 5000);
    assert.equal(restarts[0]?.exitCode, 0);
    assert.ok(report.failed > 0, 'without a drain the load balancer keeps sending to a closed port: the test must see it');
    const lostKinds = ['503 from the load balancer', '502 from the load balancer', 'ECONNRESET'];
    assert.ok(Object.keys(report.failures).every((kind) => lostKinds.includes(kind)), JSON.stringify(report.failures));
  });
});
