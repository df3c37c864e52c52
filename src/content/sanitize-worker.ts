import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { cleanWithinLimits, type LimitedClean } from './sanitize.ts';

// The process's event loop (the load balancer's health checks first) must win the CPU over cleaning. On
// Linux a priority belongs to a thread, and /proc/thread-self names this one; elsewhere this is skipped.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  // Not Linux, or not allowed: cleaning still runs off the event loop, at the process's priority.
}

/** The task of the sanitizer threads (src/content/cleaner.ts). */
export default function clean(dirty: string): LimitedClean {
  return cleanWithinLimits(dirty);
}
