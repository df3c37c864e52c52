import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

type Pid = number | 'self';

/**
 * A process's resident memory in V8's 256 kB heap pages (every isolate's: the main thread's and any worker
 * thread's), in MB, from /proc/<pid>/smaps (Linux only).
 */
export function v8PagesMb(pid: Pid = 'self'): number {
  let pageSized = false;
  let kb = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (mapping !== null) pageSized = parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16) === 256 * 1024;
    else if (pageSized) kb += Number(/^Rss:\s+(\d+) kB/.exec(line)?.[1] ?? 0);
  }
  return kb / 1024;
}

/**
 * Reads `v8PagesMb(pid)` every 100 ms until it is at most `limitMb` or `timeoutMs` have passed, and returns the
 * reading that ended the wait (the one to judge: a later one may differ).
 */
export async function v8PagesOnceAtMost(limitMb: number, timeoutMs: number, pid: Pid = 'self'): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pages = v8PagesMb(pid);
  while (pages > limitMb && Date.now() < deadline) {
    await sleep(100);
    pages = v8PagesMb(pid);
  }
  return pages;
}

/** A process's resident set size in MB, from /proc/<pid>/status (Linux only). */
export function rssMb(pid: Pid = 'self'): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}
