import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { garbageCollector } from '../memory-release.ts';
import { cleanWithinLimits, type LimitedClean } from './sanitize.ts';

// The process's event loop (the load balancer's health checks first) must win the CPU over cleaning. On
// Linux a priority belongs to a thread, and /proc/thread-self names this one; elsewhere this is skipped.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  // Not Linux, or not allowed: cleaning still runs off the event loop, at the process's priority.
}

/**
 * How long the thread waits without a task before it gives back the memory its tasks' garbage took. V8 keeps
 * a thread's freed heap pages pooled for reuse while the thread lives, and an ordinary collection does not
 * return them: after the benchmark's hostile posts that was ~30 MB, resident for as long as the thread ran and
 * 10–15 s after it stopped (issue 18). A last-resort collection returns them to the system at once.
 */
const releaseAfterMs = 200;
/**
 * The cleaning time since the last collection that makes one worth its cost (10–30 ms of this lowest-priority
 * thread): garbage grows with the work, and a 5 kB post is cleaned in about half a millisecond, so a lone
 * ordinary write is not followed by a collection, while a large or hostile one (10–400 ms) is, and so is the
 * first write of a thread (loading sanitize-html takes ~90 ms).
 */
const workWorthReleasingMs = 20;

// Last resort: in this thread an ordinary collection leaves the freed pages pooled (measured: 29 MB stayed,
// against 12 after a last-resort one).
const collectGarbage = garbageCollector();
let workSinceReleaseMs = 0;
let quietSpell: NodeJS.Timeout | undefined;
const releaseMemory = () => {
  workSinceReleaseMs = 0;
  collectGarbage({ type: 'major', execution: 'sync', flavor: 'last-resort' });
};

/** The task of the sanitizer threads (src/content/cleaner.ts). */
export default function clean(dirty: string): LimitedClean {
  clearTimeout(quietSpell);
  const started = performance.now();
  try {
    return cleanWithinLimits(dirty);
  } finally {
    workSinceReleaseMs += performance.now() - started;
    // From the end of the task: a long one (a large post) is not followed by a collection while others wait.
    if (workSinceReleaseMs >= workWorthReleasingMs) quietSpell = setTimeout(releaseMemory, releaseAfterMs);
  }
}
