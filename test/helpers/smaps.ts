import { readFileSync } from 'node:fs';

/**
 * A process's resident memory in V8's 256 kB heap pages (every isolate's: the main thread's and any worker
 * thread's), in MB, from /proc/<pid>/smaps (Linux only).
 */
export function v8PagesMb(pid: number | 'self' = 'self'): number {
  let pageSized = false;
  let kb = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (mapping !== null) pageSized = parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16) === 256 * 1024;
    else if (pageSized) kb += Number(/^Rss:\s+(\d+) kB/.exec(line)?.[1] ?? 0);
  }
  return kb / 1024;
}
