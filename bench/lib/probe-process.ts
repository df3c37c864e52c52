// ALB-like health probes from a process of their own: `node bench/lib/probe-process.ts <url> <seconds> <per second>`.
// In the benchmark's own process the probes' latency would include that process's event-loop delay (autocannon
// keeps it busy); the ALB's nodes are other machines. Sends GET <url> at a fixed pace, never waiting for the
// previous answer (as the ALB does), prints "ready" once the first connection is up, then one JSON line:
// { count, p50Ms, p99Ms, maxMs, non200, errors }.
import { Agent, request } from 'node:http';

const [url, secondsArgument, rateArgument] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: probe-process.ts <url> <seconds> <per second>');
const seconds = Number(secondsArgument ?? 5);
const perSecond = Number(rateArgument ?? 100);
// Enough connections that a probe never waits for an earlier one's answer to be sent (the ALB's probes are
// independent requests): a stall of the server shows once per probe it delays, not again in the queue behind.
const connections = 32;
const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const headers = { 'User-Agent': 'ELB-HealthChecker/2.0' };

const latencies: number[] = [];
let non200 = 0;
let errors = 0;

function probe(): Promise<void> {
  const sent = performance.now();
  return new Promise((resolve) => {
    const req = request(url!, { agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - sent);
        if (res.statusCode !== 200) non200 += 1;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end();
  });
}

// Connections up before the clock starts, so the first probes do not pay for them.
await Promise.all(Array.from({ length: connections }, () => probe()));
latencies.length = 0;
non200 = 0;
errors = 0;
process.stdout.write('ready\n');

const intervalMs = 1000 / perSecond;
const started = performance.now();
const pending: Array<Promise<void>> = [];
for (let index = 0; index < seconds * perSecond; index++) {
  // Paced against the start, so a late timer does not shift the probes after it.
  const due = started + index * intervalMs - performance.now();
  if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
  pending.push(probe());
}
await Promise.all(pending);
agent.destroy();

const sorted = latencies.sort((a, b) => a - b);
const at = (share: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0) * 10) / 10;
process.stdout.write(`${JSON.stringify({ count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), non200, errors })}\n`);
