import autocannon from 'autocannon';

export interface LoadTarget {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** What the front end's browser sends: its origin (the default CORS_ORIGINS), so CORS runs as in production. */
export const fromFrontEnd = { Origin: 'https://yongheonn.com' };

/** One measured round of one case. */
export interface Round {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors, timeouts included. */
  errors: number;
  non2xx: number;
  /** Server CPU time per request (every thread), when the server's process was watched. */
  cpuUsPerRequest?: number;
  /** Share of one core the server used during the round: well under 100 % means something else was the bottleneck. */
  serverBusyPct?: number;
  note?: string;
}

/**
 * A case over its rounds: req/s and latencies of the median round, CPU figures as medians, counts as totals,
 * and the spread of req/s.
 */
export interface Measurement extends Round {
  rpsSpread: [number, number];
}

export interface LoadPlan {
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

export function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));
}

export function toRound(result: autocannon.Result, note?: string): Round {
  return {
    // Completed requests over the whole round (the per-second average drops the last partial second).
    rps: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * A round of `connections` clients sending `target` back to back for `seconds`, or at `rate` requests per
 * second in all (equal offered load makes CPU time per request comparable between two servers).
 */
export async function loadRound(target: LoadTarget, connections: number, seconds: number, rate?: number): Promise<Round> {
  const pace = rate === undefined ? {} : { overallRate: rate };
  return toRound(await run({ ...target, method: target.method ?? 'GET', connections, duration: seconds, timeout: 10, ...pace }));
}

/** `round`, with the CPU time the server spent on it (`cpuMs` reads the server's CPU clock). */
export async function watchingServer(cpuMs: () => number, round: () => Promise<Round>): Promise<Round> {
  const cpuBefore = cpuMs();
  const started = performance.now();
  const result = await round();
  const usedMs = cpuMs() - cpuBefore;
  return {
    ...result,
    cpuUsPerRequest: result.requests > 0 ? Math.round((usedMs * 1000) / result.requests) : undefined,
    serverBusyPct: Math.round((100 * usedMs) / (performance.now() - started)),
  };
}

function medianOf(values: Array<number | undefined>): number | undefined {
  const known = values.filter((value) => value !== undefined).sort((a, b) => a - b);
  return known[Math.floor(known.length / 2)];
}

/** The median round's figures, the spread of all rounds, and the totals. */
export function summariseRounds(rounds: Round[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  const cpuUsPerRequest = medianOf(rounds.map((round) => round.cpuUsPerRequest));
  const serverBusyPct = medianOf(rounds.map((round) => round.serverBusyPct));
  return {
    ...(cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest }),
    ...(serverBusyPct === undefined ? {} : { serverBusyPct }),
    rps: middle.rps,
    rpsSpread: [sorted[0]!.rps, sorted.at(-1)!.rps],
    p50Ms: middle.p50Ms,
    p99Ms: middle.p99Ms,
    requests: rounds.reduce((sum, round) => sum + round.requests, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    ...(middle.note === undefined ? {} : { note: middle.note }),
  };
}
