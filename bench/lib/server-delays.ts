import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** Node flags that load bench/lib/loop-delay-preload.mjs, and its environment, for a server the benchmark starts. */
export function loopDelayPreload(file: string): { nodeArgs: string[]; env: Record<string, string> } {
  return { nodeArgs: ['--import', fileURLToPath(new URL('loop-delay-preload.mjs', import.meta.url))], env: { BENCH_LOOP_DELAY_FILE: file } };
}

/** ns the main thread of `pid` has waited for a core so far (run-queue time, /proc/<pid>/task/<pid>/schedstat). */
export function waitedNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return Number.NaN;
  }
}

interface LoopFigures {
  sequence: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  gcMaxMs: number;
  gcTotalMs: number;
}

/**
 * Where a server's time went during a round: its event loop's delay and GC pauses (from the preload, when it
 * was started with it) and how long its main thread waited for a core. `start()` before the round; `finish()`
 * after it answers a note.
 */
export function serverDelays(pid: number, file: string | undefined) {
  let waitedBefore = 0;
  let startedAt = 0;
  const ask = async (): Promise<LoopFigures | undefined> => {
    if (file === undefined) return undefined;
    const before = (() => {
      try {
        return statSync(file).mtimeMs;
      } catch {
        return 0;
      }
    })();
    process.kill(pid, 'SIGUSR2');
    for (let tries = 0; tries < 100; tries++) {
      await sleep(10);
      try {
        if (statSync(file).mtimeMs !== before) return JSON.parse(readFileSync(file, 'utf8')) as LoopFigures;
      } catch {
        // not written yet
      }
    }
    return undefined;
  };
  return {
    async start(): Promise<void> {
      await ask();
      waitedBefore = waitedNs(pid);
      startedAt = performance.now();
    },
    async finish(): Promise<string> {
      const waitedMs = (waitedNs(pid) - waitedBefore) / 1e6;
      const share = Math.round((100 * waitedMs) / (performance.now() - startedAt));
      const loop = await ask();
      // No schedstat (a kernel without it): nothing to say about waiting for a core.
      const parts = Number.isNaN(waitedMs) ? [] : [`server main thread waited for a core ${Math.round(waitedMs)} ms (${share} % of the round)`];
      if (loop) parts.unshift(`server event-loop delay p99 ${loop.p99Ms} ms, max ${loop.maxMs} ms; GC pause max ${loop.gcMaxMs} ms, total ${loop.gcTotalMs} ms`);
      return parts.join('; ') || 'no figures from the server';
    },
  };
}

export type ServerDelays = ReturnType<typeof serverDelays>;
