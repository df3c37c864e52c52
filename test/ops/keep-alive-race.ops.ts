import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { startCluster } from './harness/cluster.ts';
import { idleReuseRound, type IdleReuseLane, type LaneResult } from './harness/idle-reuse.ts';
import { countByKind } from './harness/load.ts';

// The stand-in's idle timeout: HAProxy keeps every idle connection for at least 2 purge delays and, for a
// burst of 16, has closed them all by 7 (it halves the surplus each delay). Scaled from the ALB's 60 s.
const purgeDelayMs = 600;
const burst = 16;
const maxRounds = 4;
const proxyKeepsAllUntilMs = 2 * purgeDelayMs;
const proxyClosedAllByMs = 7 * purgeDelayMs;
// Node keeps an idle socket open for keepAliveTimeout plus its keepAliveTimeoutBuffer (1 s by default).
const nodeKeepAliveBufferMs = 1000;

/** Idle times that matter: just under and just over the proxy's timeout, and every 2.5 ms around the server's. */
function lanesFor(serverKeepAliveMs: number): IdleReuseLane[] {
  const serverClosesAt = serverKeepAliveMs + nodeKeepAliveBufferMs;
  return [
    { idleMs: proxyKeepsAllUntilMs - 150, label: 'just under the proxy idle timeout' },
    { idleMs: proxyClosedAllByMs + 100, label: 'just over the proxy idle timeout' },
    ...Array.from({ length: 50 }, (_, step) => ({ idleMs: Math.round(serverClosesAt - 110 + step * 2.5), label: 'around the server keep-alive' })),
  ];
}

async function idleReuseScenario(t: TestContext, serverKeepAliveMs: number): Promise<LaneResult[]> {
  const cluster = await startCluster({
    size: 1,
    serverEnv: { KEEP_ALIVE_TIMEOUT_MS: String(serverKeepAliveMs), HEADERS_TIMEOUT_MS: String(serverKeepAliveMs + 1000) },
    haproxy: { poolPurgeDelayMs: purgeDelayMs, lanes: lanesFor(serverKeepAliveMs).length },
  });
  try {
    // A race is a matter of chance per round: up to `maxRounds`, stopping at the first round that fails.
    const results: LaneResult[] = [];
    let rounds = 0;
    while (rounds < maxRounds && !results.some((lane) => lane.failures.length > 0)) {
      rounds++;
      results.push(...(await idleReuseRound(cluster.haproxy, lanesFor(serverKeepAliveMs), burst, '/ajax/subject/all')));
    }
    const failures = results.flatMap((lane) => lane.failures);
    const failedIdleTimes = results.filter((lane) => lane.failures.length > 0).map((lane) => `${lane.idleMs}ms×${lane.failures.length}`);
    t.diagnostic(`server keep-alive ${serverKeepAliveMs} ms (+${nodeKeepAliveBufferMs} ms Node buffer); proxy keeps idle connections ≥ ${proxyKeepsAllUntilMs} ms, closes all by ${proxyClosedAllByMs} ms`);
    t.diagnostic(`${rounds} round(s), requests sent ${results.length * burst * 2}, failed ${failures.length} ${JSON.stringify(countByKind(failures))}; failing idle times: ${failedIdleTimes.join(' ') || 'none'}`);
    for (const lane of results.filter((result) => !result.label.startsWith('around'))) {
      t.diagnostic(`${lane.label} (${lane.idleMs} ms): ${lane.pooledBeforeReuse} of ${burst} connections still pooled, ${lane.failures.length} failed`);
    }
    return results;
  } finally {
    await cluster.stop();
  }
}

describe('Idle keep-alive connections reused through the load balancer', () => {
  it('When the server keeps idle connections longer than the proxy (4 s + 1 s > 4.2 s), then reuse at any idle time never fails', { timeout: 90_000 }, async (t) => {
    const results = await idleReuseScenario(t, 4000);
    const under = results.filter((lane) => lane.label.startsWith('just under'));
    const over = results.filter((lane) => lane.label.startsWith('just over'));
    assert.ok(under.every((lane) => lane.pooledBeforeReuse > 0), 'just under the proxy timeout, its connections are reused');
    assert.ok(over.every((lane) => lane.pooledBeforeReuse === 0), 'just over the proxy timeout, it has closed them');
    assert.deepEqual(results.flatMap((lane) => lane.failures), []);
  });

  it('When the server closes idle connections before the proxy does (0.1 s + 1 s), then the same reuse gets 502s from the proxy', { timeout: 90_000 }, async (t) => {
    const results = await idleReuseScenario(t, 100);
    const failures = results.flatMap((lane) => lane.failures);
    assert.ok(failures.length > 0, 'the misconfiguration must show up as failed requests, or this test could not catch it');
    assert.ok(failures.every((kind) => kind === '502 from the load balancer' || kind === 'ECONNRESET'), JSON.stringify(countByKind(failures)));
  });
});
