import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full collection of this thread's heap; `last-resort` repeats it until nothing more is freed. */
export type CollectGarbage = (options: { type: 'major'; execution: 'sync'; flavor: 'regular' | 'last-resort' }) => void;

/**
 * V8's gc() for the calling thread, the way jest's leak detector gets it: the flag (process-wide) puts gc in
 * the contexts made while it is on, and it is on only while this throw-away context is made, so no other
 * context of the process (the app's, a dependency's) ever sees a global gc.
 */
export function garbageCollector(): CollectGarbage {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as CollectGarbage;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export interface QuietRelease {
  /** How often the event loop's utilization and the RSS are read. */
  checkEveryMs: number;
  /** A check interval whose event-loop utilization is below this is quiet: the burst is over. */
  quietBelow: number;
  /**
   * How long the loop must also stay quiet after such a check before the collection runs: a burst that began in
   * the last moments of a quiet interval barely raises its utilization, and would be held for the whole pause.
   */
  confirmMs: number;
  /** How far the RSS must have grown past what the last release left (or the lowest seen since) to collect. */
  growthBytes: number;
  /** The event loop's busy time since the last release, as a multiple of that release's pause, before the next. */
  workPerPause: number;
  /** Told after each release: the RSS before and 0.5 s after it, and how long the collection held the thread. */
  onRelease: (release: { rssBeforeBytes: number; rssAfterBytes: number; pauseMs: number }) => void;
  /** For tests: the process's RSS, and the collection. */
  rss?: () => number;
  collect?: CollectGarbage;
}

/**
 * The main thread's defaults (issue 18). After a burst of requests V8 keeps the heap pages the burst took:
 * freed pages stay pooled for reuse, and an ordinary collection leaves them there; V8's memory reducer, which
 * would give them back, starts only after a full collection and then waits seconds more, and a burst served by
 * scavenges alone brings none. So after the benchmark's load ~40 MB of V8 pages stayed resident instead of ~21,
 * and the malloc'ed buffers they referenced (~10 MB). A last-resort collection in the first quiet second gives
 * them back at once (bench/rss-probe.ts after the benchmark's hostile posts: 135 → 116–117 MB half a second
 * later; 10 s after the posts 116 MB instead of 140–144, 20 s after 109–110 instead of 133–136). An ordinary
 * one frees the same heap but leaves the pages pooled until the memory reducer's turn, seconds later or, in a
 * process with nothing else to do, not within 20 s (measured). The pause it costs: 87–126 ms on the
 * benchmark's pinned and shared core (95–207 ms on the embedded PGlite server, whose heap is larger), once per
 * burst and never during one.
 * - Quiet below 10 % of the loop: the ALB's probes and a light stream of readers stay far below it (a request
 *   takes 0.1–0.3 ms), while any burst keeps the collection away from the requests it would delay.
 * - Quiet for 50 ms more after the check: a burst that began in the last ~100 ms of a quiet second left it
 *   under 10 % busy, and the collection then held the burst's first requests for its whole pause (seen in
 *   bench/compare.ts: a round's GC pause max 38 ms, event-loop delay max 69 ms). Now only a burst that begins
 *   in the last ~5 ms of those 50 can meet it.
 * - 10 MB of growth: the collection holds the thread for tens of milliseconds, so it is spent only where there
 *   is something to give back; a steady server's RSS does not grow and never pays for it, and a collection
 *   that frees nothing raises the bar for the next by another 10 MB.
 * - 20 × the pause in work between two: a server that grows and shrinks in small waves spends at most 5 % of
 *   its work on releases.
 */
export const mainThreadRelease = { checkEveryMs: 1_000, quietBelow: 0.1, confirmMs: 50, growthBytes: 10 * 1024 * 1024, workPerPause: 20 } as const;

/**
 * Runs a last-resort collection of this thread when the process has grown, has worked enough since the last
 * one, and its event loop has gone quiet, so that V8 gives the memory a burst took back to the system (see
 * `mainThreadRelease`). Returns the stop function; the timer does not keep the process alive.
 */
export function releaseMemoryWhenQuiet(options: QuietRelease): () => void {
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  const collect = options.collect ?? garbageCollector();
  let baseline = rss();
  let lastLoop = performance.eventLoopUtilization();
  let busyMsSinceRelease = 0;
  let lastPauseMs = 0;
  let settling: NodeJS.Timeout | undefined;
  let confirming: NodeJS.Timeout | undefined;

  const check = setInterval(() => {
    const loop = performance.eventLoopUtilization();
    const interval = performance.eventLoopUtilization(loop, lastLoop);
    lastLoop = loop;
    busyMsSinceRelease += interval.active;
    const now = rss();
    baseline = Math.min(baseline, now);
    if (
      settling !== undefined ||
      confirming !== undefined ||
      interval.utilization >= options.quietBelow ||
      now < baseline + options.growthBytes ||
      busyMsSinceRelease < options.workPerPause * lastPauseMs
    ) {
      return;
    }
    // Still quiet `confirmMs` later, or a burst has begun and the next quiet interval decides again.
    const beforeConfirming = performance.eventLoopUtilization();
    confirming = setTimeout(() => {
      confirming = undefined;
      if (performance.eventLoopUtilization(performance.eventLoopUtilization(), beforeConfirming).utilization >= options.quietBelow) return;
      release(now);
    }, options.confirmMs);
    confirming.unref();
  }, options.checkEveryMs);
  check.unref();

  function release(rssBefore: number): void {
    const started = performance.now();
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    lastPauseMs = performance.now() - started;
    busyMsSinceRelease = 0;
    // What the collection left, once V8's background thread has unmapped the pages it freed.
    settling = setTimeout(() => {
      settling = undefined;
      baseline = rss();
      options.onRelease({ rssBeforeBytes: rssBefore, rssAfterBytes: baseline, pauseMs: lastPauseMs });
    }, 500);
    settling.unref();
  }

  return () => {
    clearInterval(check);
    clearTimeout(confirming);
    clearTimeout(settling);
  };
}
