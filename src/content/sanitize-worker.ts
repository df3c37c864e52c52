import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
 * return them: after the benchmark's hostile posts that was ~30 MB, resident until 10–15 s after the thread
 * stopped (issue 18). A last-resort collection returns them to the system at once, for ~10 ms of this
 * (lowest-priority) thread's time, once per quiet spell rather than once per write.
 */
const releaseAfterMs = 200;

// V8's gc() for this thread, the way jest's leak detector gets it: the flag (process-wide) puts gc in the
// contexts made while it is on, and it is on only while this throw-away context is made.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
setFlagsFromString('--no-expose-gc');
const releaseMemory = () => collectGarbage({ type: 'major', execution: 'sync', flavor: 'last-resort' });
let quietSpell: NodeJS.Timeout | undefined;

/** The task of the sanitizer threads (src/content/cleaner.ts). */
export default function clean(dirty: string): LimitedClean {
  clearTimeout(quietSpell);
  try {
    return cleanWithinLimits(dirty);
  } finally {
    // From the end of the task: a long one (a large post) is not followed by a collection while others wait.
    quietSpell = setTimeout(releaseMemory, releaseAfterMs);
  }
}
