import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Statuses that count as success. */
  expect: number[];
}

export interface LoadOptions {
  port: number;
  /** Sent in turn. */
  requests: LoadRequest[];
  /** Parallel keep-alive connections, like browsers' connections to the ALB. */
  concurrency: number;
  ratePerSecond: number;
  /** Runs at least this long, and on until `until` settles, but never longer than `maxDurationMs`. */
  durationMs: number;
  until?: Promise<unknown>;
  maxDurationMs: number;
  maxRequests: number;
  timeoutMs?: number;
  /** Sees every outcome, with the time its request was sent (Date.now()). */
  onOutcome?: (outcome: Outcome, spec: LoadRequest, sentAt: number) => void;
}

export interface LoadReport {
  sent: number;
  failed: number;
  /** Failures by kind: `502 from the load balancer`, `ECONNRESET`, `timeout`, … */
  failures: Record<string, number>;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  durationMs: number;
}

export interface Outcome {
  status: number;
  fromServer: boolean;
  headers?: IncomingHttpHeaders;
  error?: string;
  ms: number;
}

export function send(port: number, agent: Agent, spec: Omit<LoadRequest, 'expect'>, timeoutMs = 10_000): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers: spec.headers, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, fromServer: res.headers['x-request-id'] !== undefined, headers: res.headers, ms: performance.now() - started }),
      );
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, fromServer: false, error: error.code ?? error.message, ms: performance.now() - started }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, fromServer: false, error: error.code ?? error.message, ms: performance.now() - started }));
    req.end();
  });
}

/** How a failed outcome is counted: by error code, or by status and who answered it. */
export function failureKind(outcome: Outcome): string {
  if (outcome.error) return outcome.error;
  return `${outcome.status} from ${outcome.fromServer ? 'the server' : 'the load balancer'}`;
}

export function countByKind(kinds: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** A paced, bounded load over keep-alive connections; every request's outcome is counted. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const started = Date.now();
  let settled = options.until === undefined;
  void options.until?.finally(() => (settled = true)).catch(() => undefined);
  const keepGoing = () => {
    const elapsed = Date.now() - started;
    return elapsed < options.maxDurationMs && (elapsed < options.durationMs || !settled);
  };
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let next = 0;

  const worker = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (keepGoing() && next < options.maxRequests) {
      const index = next++;
      const due = started + (index * 1000) / options.ratePerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      const spec = options.requests[index % options.requests.length]!;
      const sentAt = Date.now();
      const outcome = await send(options.port, agent, spec, options.timeoutMs);
      options.onOutcome?.(outcome, spec, sentAt);
      latencies.push(outcome.ms);
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (!spec.expect.includes(outcome.status)) {
        const kind = failureKind(outcome);
        failures[kind] = (failures[kind] ?? 0) + 1;
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    sent: latencies.length,
    failed: Object.values(failures).reduce((sum, count) => sum + count, 0),
    failures,
    statuses,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(latencies.at(-1) ?? 0),
    durationMs: Date.now() - started,
  };
}
