import autocannon from 'autocannon';
import type { LoadPlan, Measurement } from './load.ts';

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));
}

/**
 * Production-like traffic (subjects, a board page, a post) with ALB health probes running alongside:
 * reports the traffic's throughput and, in the note, the probes' p99 — probes must stay fast under load.
 */
export async function measureMix(base: string, plan: LoadPlan): Promise<Omit<Measurement, never> & { note: string }> {
  const traffic: autocannon.Options = {
    url: base,
    connections: plan.connections,
    duration: plan.roundSeconds * plan.rounds,
    requests: [
      { method: 'GET', path: '/ajax/subject/all' },
      { method: 'GET', path: '/ajax/board/list?sid=free&page=1' },
      { method: 'GET', path: '/ajax/board/read?bno=2' },
    ],
  };
  // Three ALB nodes probing every 10 s is far less; 20 probes/s makes any queueing behind traffic visible.
  const probes: autocannon.Options = {
    url: `${base}/ajax/health/`,
    connections: 2,
    overallRate: 20,
    duration: plan.roundSeconds * plan.rounds,
    headers: { 'User-Agent': 'ELB-HealthChecker/2.0' },
  };
  await run({ ...traffic, duration: plan.warmupSeconds });
  const [load, health] = await Promise.all([run(traffic), run(probes)]);
  return {
    rps: Math.round(load.requests.average),
    rpsSpread: [Math.round(load.requests.min), Math.round(load.requests.max)],
    p50Ms: load.latency.p50,
    p99Ms: load.latency.p99,
    requests: load.requests.total,
    errors: load.errors + load.timeouts + health.errors + health.timeouts,
    non2xx: load.non2xx + health.non2xx,
    note: `health probes during the mix: ${health.requests.total} sent, p99 ${health.latency.p99} ms, non-2xx ${health.non2xx}`,
  };
}
