import { availableParallelism } from 'node:os';
import type Tinypool from 'tinypool';
import { errors } from '../http/errors.ts';
import { contentLimits, type ContentProblem, type LimitedClean } from './sanitize.ts';

/** Longer than any content within the limits takes (~0.4 s for 1 MB of dense markup); a task waiting for a thread counts too. */
const deadlineMs = 5_000;
/** Writes waiting for a sanitizer thread; more are refused at once (503) rather than piling up in memory. */
const maxWaiting = 32;
// The same extension as this module: .ts when run from the sources, .js once built.
const workerFile = new URL(`./sanitize-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/**
 * The heap a sanitizer thread may use. The heaviest contents the limits accept (test/fixtures/hostile-html.ts)
 * are cleaned within 24 MB; left unbounded, a thread that cleaned each of them three times grew by about 200 MB
 * (bounded: 55 MB), which the process kept resident. Content that would need more is refused (400).
 */
export const sanitizerHeap = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 };

/**
 * How long a sanitizer thread outlives its last task. A thread takes about 0.1 s to start (sanitize-html and
 * postcss load into it), so a burst of writes (an import, a spam wave, a user editing) stays on a warm thread,
 * while a lone write after a quiet spell pays that start. A running thread gives back what its tasks' garbage
 * took 0.2 s after its last task (sanitize-worker.ts); what stopping it gives back (its own heap, ~10 MB) leaves
 * the process 10–15 s after it stops, when V8 releases a stopped thread's pages (issue 18, bench/rss-probe.ts).
 */
export const sanitizerIdleMs = 10_000;

export interface HtmlCleaner {
  /** See cleanUserHtml. */
  clean(dirty: string, field: 'content' | 'description'): Promise<string>;
  /** Threads running now (0 before the first write and once they have been idle for `idleMs`). */
  threads(): number;
  /** Stops its threads. */
  close(): Promise<void>;
}

/**
 * Worker threads that clean HTML, so that the event loop answering every other request (the load balancer's
 * health checks first) never parses user HTML: even linear work on a large post took a third of a second.
 * Started by the first write; one thread per spare core (at least one), stopped after `idleMs` without work.
 */
export function htmlCleaner({ heap = sanitizerHeap, idleMs = sanitizerIdleMs } = {}): HtmlCleaner {
  // The pool while it is being loaded (shared by the writes that wait for it), and once it is there.
  let loading: Promise<Tinypool> | undefined;
  let loaded: Tinypool | undefined;
  const sanitizerThreads = () =>
    (loading ??= import('tinypool').then(({ default: Pool }) => {
      const pool = new Pool({
        filename: workerFile.href,
        minThreads: 0,
        maxThreads: Math.max(1, availableParallelism() - 1),
        maxQueue: maxWaiting,
        idleTimeout: idleMs,
        resourceLimits: heap,
        // A thread waits for tasks on its event loop, not blocked in Atomics.wait, so that its timer can give
        // its memory back after a burst (sanitize-worker.ts). Measured: the hostile contents clean ~10 % slower
        // this way (V8's own tasks run between them), small posts as fast.
        useAtomics: false,
      });
      // A thread that fails with no task of its own (one already stopped at its deadline) is replaced; its
      // error belongs to no request, and unheard it would stop the process.
      pool.on('error', () => undefined);
      loaded = pool;
      return pool;
    }));
  return {
    async clean(dirty, field) {
      if (dirty.length > contentLimits.maxChars) throw errors.contentTooLarge(field, contentLimits.maxChars);
      let result: LimitedClean;
      try {
        result = (await (await sanitizerThreads()).run(dirty, { signal: AbortSignal.timeout(deadlineMs) })) as LimitedClean;
      } catch (error) {
        // The deadline passed (the thread is stopped and replaced) or too many writes are waiting.
        if (error instanceof Error && (error.name === 'AbortError' || /queue is at limit/i.test(error.message))) throw errors.busy(error);
        // The thread reached its heap limit and was replaced: the content, not the server, is at fault.
        if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') throw errors.contentTooComplex(field, 'needs more memory to clean than a post may use');
        throw error;
      }
      if ('problem' in result) throw errors.contentTooComplex(field, problems[result.problem]);
      if (result.html.length > contentLimits.maxChars) throw errors.contentTooLarge(field, contentLimits.maxChars);
      return result.html;
    },
    threads: () => loaded?.threads.length ?? 0,
    async close() {
      await (await loading)?.destroy();
    },
  };
}

const problems: Record<ContentProblem, string> = {
  elements: `has more than ${contentLimits.maxElements} elements`,
  depth: `nests elements more than ${contentLimits.maxDepth} deep`,
  attributes: `has an element with more than ${contentLimits.maxAttributesPerElement} attributes`,
};

const shared = htmlCleaner();

/**
 * Cleans user HTML (post content, subject descriptions) for storing, within `contentLimits`: too long (as
 * sent or once cleaned) → 413, too many or too deeply nested elements, or too much memory to clean → 400 naming
 * the field, no thread free in time → 503. The caller's event loop only waits.
 */
export const cleanUserHtml = (dirty: string, field: 'content' | 'description'): Promise<string> => shared.clean(dirty, field);
