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

let threads: Promise<Tinypool> | undefined;

/**
 * Worker threads that clean HTML, so that the event loop answering every other request (the load balancer's
 * health checks first) never parses user HTML: even linear work on a large post took a third of a second.
 * Started by the first write; one thread per spare core (at least one), stopped after a minute without work.
 */
function sanitizerThreads(): Promise<Tinypool> {
  threads ??= import('tinypool').then(
    ({ default: Pool }) =>
      new Pool({
        filename: workerFile.href,
        minThreads: 0,
        maxThreads: Math.max(1, availableParallelism() - 1),
        maxQueue: maxWaiting,
        idleTimeout: 60_000,
      }),
  );
  return threads;
}

const problems: Record<ContentProblem, string> = {
  elements: `has more than ${contentLimits.maxElements} elements`,
  depth: `nests elements more than ${contentLimits.maxDepth} deep`,
  attributes: `has an element with more than ${contentLimits.maxAttributesPerElement} attributes`,
};

/**
 * Cleans user HTML (post content, subject descriptions) for storing, within `contentLimits`: too long (as
 * sent or once cleaned) → 413, too many or too deeply nested elements → 400 naming the field, no thread free
 * in time → 503. The caller's event loop only waits.
 */
export async function cleanUserHtml(dirty: string, field: 'content' | 'description'): Promise<string> {
  if (dirty.length > contentLimits.maxChars) throw errors.contentTooLarge(field, contentLimits.maxChars);
  let result: LimitedClean;
  try {
    result = (await (await sanitizerThreads()).run(dirty, { signal: AbortSignal.timeout(deadlineMs) })) as LimitedClean;
  } catch (error) {
    // The deadline passed (the thread is stopped and replaced) or too many writes are waiting.
    if (error instanceof Error && (error.name === 'AbortError' || /queue is at limit/i.test(error.message))) throw errors.busy(error);
    throw error;
  }
  if ('problem' in result) throw errors.contentTooComplex(field, problems[result.problem]);
  if (result.html.length > contentLimits.maxChars) throw errors.contentTooLarge(field, contentLimits.maxChars);
  return result.html;
}
