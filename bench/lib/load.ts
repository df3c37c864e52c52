import autocannon from 'autocannon';

export interface LoadTarget {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface Measurement {
  /** Median over the rounds. */
  rps: number;
  /** [min, max] requests/s over the rounds. */
  rpsSpread: [number, number];
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface LoadPlan {
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

function once(target: LoadTarget, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: target.url,
        method: target.method ?? 'GET',
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Warm-up, then `rounds` measured runs; reports the median round and the spread. */
export async function measure(target: LoadTarget, plan: LoadPlan): Promise<Measurement> {
  await once(target, plan.connections, plan.warmupSeconds);
  const results: autocannon.Result[] = [];
  for (let round = 0; round < plan.rounds; round++) results.push(await once(target, plan.connections, plan.roundSeconds));
  const rates = results.map((result) => result.requests.average);
  const middle = results[rates.indexOf(median(rates))] ?? results[0]!;
  return {
    rps: Math.round(median(rates)),
    rpsSpread: [Math.round(Math.min(...rates)), Math.round(Math.max(...rates))],
    p50Ms: middle.latency.p50,
    p99Ms: middle.latency.p99,
    requests: results.reduce((sum, result) => sum + result.requests.total, 0),
    errors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  };
}
