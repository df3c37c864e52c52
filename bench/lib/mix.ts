import { fromFrontEnd, run, toRound, type Round } from './load.ts';

/** ALB health probes, 20 per second: three ALB nodes every 10 s are far fewer, but this makes queueing visible. */
export function healthProbes(base: string, seconds: number) {
  return run({
    url: `${base}/ajax/health/`,
    connections: 2,
    overallRate: 20,
    duration: seconds,
    timeout: 10,
    headers: { 'User-Agent': 'ELB-HealthChecker/2.0' },
  });
}

/**
 * One round of production-like traffic (subjects, a board page, a post) with ALB health probes alongside:
 * the traffic's throughput, and in the note the probes' p99 — probes must stay fast under load.
 */
export async function mixRound(base: string, connections: number, seconds: number): Promise<Round> {
  const [traffic, probes] = await Promise.all([
    run({
      url: base,
      connections,
      duration: seconds,
      timeout: 10,
      headers: fromFrontEnd,
      requests: [
        { method: 'GET', path: '/ajax/subject/all' },
        { method: 'GET', path: '/ajax/board/list?sid=free&page=1' },
        { method: 'GET', path: '/ajax/board/read?bno=2' },
      ],
    }),
    healthProbes(base, seconds),
  ]);
  const round = toRound(traffic, `health probes alongside: p99 ${probes.latency.p99} ms, non-2xx ${probes.non2xx}, errors ${probes.errors}`);
  return { ...round, errors: round.errors + probes.errors, non2xx: round.non2xx + probes.non2xx };
}
