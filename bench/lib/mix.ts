import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromFrontEnd, run, toRound, type Round } from './load.ts';
import type { ServerDelays } from './server-delays.ts';

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

export interface ProbeFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non200: number;
  errors: number;
}

const probeScript = fileURLToPath(new URL('probe-process.ts', import.meta.url));

/** Whether this process may give a child real-time priority (root, or CAP_SYS_NICE). */
const realTime = (() => {
  try {
    execFileSync('chrt', ['-f', '1', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** How the probes of the mix are sent, for the results' notes. */
export const probesSentBy = `a process of their own (bench/lib/probe-process.ts, 100 per second, ${realTime ? 'real-time priority (chrt -f 50)' : 'normal priority: chrt is not permitted here'}), on the load generator's CPU`;

/**
 * Health probes as the ALB's nodes send them: from another process (bench/lib/probe-process.ts), so their
 * latency is the server's and not the load generator's event-loop delay. With real-time priority where
 * allowed, so they are not queued behind autocannon on its core either. Resolves once the probes are under way;
 * `figures` when they are done.
 */
export async function separateProbes(url: string, seconds: number, perSecond = 100): Promise<{ figures: Promise<ProbeFigures> }> {
  const command = [process.execPath, probeScript, url, String(seconds), String(perSecond)];
  const child = realTime ? spawn('chrt', ['-f', '50', ...command], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let ready: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.startsWith('ready\n')) ready();
  });
  const figures = new Promise<ProbeFigures>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.split('\n').filter(Boolean).at(-1);
      if (code === 0 && line !== undefined && line !== 'ready') resolve(JSON.parse(line) as ProbeFigures);
      else reject(new Error(`the probe process exited with ${code}: ${output.slice(0, 200)}`));
    });
  });
  await Promise.race([started, figures]);
  return { figures };
}

/**
 * One round of production-like traffic (subjects, a board page, a post) with ALB health probes alongside:
 * the traffic's throughput, and in the note the probes' latency — probes must stay fast under load — and,
 * with `delays`, where the server's time went meanwhile.
 */
export async function mixRound(base: string, connections: number, seconds: number, delays?: ServerDelays): Promise<Round> {
  await delays?.start();
  const probes = await separateProbes(`${base}/ajax/health/`, seconds);
  const traffic = await run({
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
  });
  const { p50Ms, p99Ms, maxMs, non200, errors } = await probes.figures;
  const server = delays === undefined ? '' : `; ${await delays.finish()}`;
  const round = toRound(traffic, `health probes alongside: p99 ${p99Ms} ms, p50 ${p50Ms} ms, max ${maxMs} ms, non-2xx ${non200}, errors ${errors}${server}`);
  return { ...round, errors: round.errors + errors, non2xx: round.non2xx + non200 };
}
