import type { Logger } from '../../logger.ts';

export interface ViewCounterOptions {
  /**
   * Adds `views` to a post's count in the database. It must add (`view = view + n`), never set: several
   * instances count views of the same rows.
   */
  addViews(bno: number, views: number): Promise<void>;
  /** How often the counted views are written; 0 writes each view before its read is answered. */
  flushEveryMs: number;
  logger: Logger;
}

/**
 * Views of posts, counted in memory and written every `flushEveryMs` with one UPDATE per post read since the
 * last write, and once more by `close()` when the server stops (after its last request). A failed write keeps
 * its views for the next one. What a crash (not a clean stop) loses: the views of the last `flushEveryMs`, and
 * any the database refused meanwhile.
 */
export function viewCounter({ addViews, flushEveryMs, logger }: ViewCounterOptions) {
  let counted = new Map<number, number>();
  /** Views handed to the database by the write under way, not yet confirmed. */
  let writing = new Map<number, number>();
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  const add = (into: Map<number, number>, bno: number, views: number) => into.set(bno, (into.get(bno) ?? 0) + views);

  async function writeCounted(): Promise<void> {
    if (counted.size === 0) return;
    writing = counted;
    counted = new Map();
    let failed = 0;
    let firstError: unknown;
    // Ascending post numbers, one autocommitted UPDATE each: two instances flushing at once never deadlock.
    for (const [bno, views] of [...writing].sort(([a], [b]) => a - b)) {
      try {
        await addViews(bno, views);
      } catch (error) {
        add(counted, bno, views);
        failed += views;
        firstError ??= error;
      }
    }
    writing = new Map();
    if (failed > 0) logger.warn({ err: firstError, views: failed }, 'writing view counts failed: kept for the next attempt');
  }

  function flush(): Promise<void> {
    flushing = flushing.then(writeCounted);
    return flushing;
  }

  const timer = flushEveryMs > 0 ? setInterval(() => void flush(), flushEveryMs) : undefined;
  timer?.unref();

  return {
    /** Counts one view of `bno` (written now when flushEveryMs is 0, else with the next flush). */
    async count(bno: number): Promise<void> {
      if (timer === undefined || closed) return addViews(bno, 1);
      add(counted, bno, 1);
    },

    /** Views of `bno` counted here and not yet confirmed written: what a row just read may not include. */
    unwritten: (bno: number): number => (counted.get(bno) ?? 0) + (writing.get(bno) ?? 0),

    flush,

    /** Stops the timer and writes what is left; later views are written one by one. */
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      await flush();
      const lost = [...counted.values()].reduce((sum, views) => sum + views, 0);
      if (lost > 0) logger.error({ views: lost }, 'view counts could not be written before stopping: lost');
    },
  };
}

export type ViewCounter = ReturnType<typeof viewCounter>;
