import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
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

/** Where a symbol of an ELF64 executable lies (its address and size), from the file's symbol table. */
function elfSymbol(path: string, matches: (name: string) => boolean): { address: number; size: number } | undefined {
  const fd = openSync(path, 'r');
  try {
    const read = (offset: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, offset);
      return buffer;
    };
    const header = read(0, 64);
    if (header.toString('latin1', 0, 4) !== '\x7fELF' || header[4] !== 2) return undefined;
    // A position-independent executable's addresses are relative to where it is loaded: not handled (Node's
    // release binaries are not).
    if (header.readUInt16LE(0x10) !== 2) throw new Error(`${path} is not a fixed-address executable (ET_EXEC)`);
    const sectionsAt = Number(header.readBigUInt64LE(0x28));
    const sectionSize = header.readUInt16LE(0x3a);
    const sections = read(sectionsAt, sectionSize * header.readUInt16LE(0x3c));
    const section = (index: number) => ({
      type: sections.readUInt32LE(index * sectionSize + 4),
      offset: Number(sections.readBigUInt64LE(index * sectionSize + 0x18)),
      size: Number(sections.readBigUInt64LE(index * sectionSize + 0x20)),
      link: sections.readUInt32LE(index * sectionSize + 0x28),
    });
    for (let index = 0; index < sections.length / sectionSize; index++) {
      const table = section(index);
      if (table.type !== 2) continue; // SHT_SYMTAB
      const symbols = read(table.offset, table.size);
      const names = section(table.link);
      const strings = read(names.offset, names.size);
      for (let at = 0; at + 24 <= symbols.length; at += 24) {
        const start = symbols.readUInt32LE(at);
        const name = strings.toString('latin1', start, strings.indexOf(0, start));
        if (matches(name)) return { address: Number(symbols.readBigUInt64LE(at + 8)), size: Number(symbols.readBigUInt64LE(at + 16)) };
      }
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

let icuData: { address: number; size: number } | undefined;

/**
 * How much of the ICU data built into the Node binary (`icudt*_dat`: zone, locale, collation and calendar data)
 * a process has touched, in MB: its resident pages, from /proc/<pid>/pagemap (Linux only). Once read, these file
 * pages stay in the process's RSS. Throws when the binary carries no such symbol.
 */
export function icuDataResidentMb(pid: Pid = 'self', binary = process.execPath): number {
  icuData ??= elfSymbol(binary, (name) => /^icudt\d+_dat$/.test(name));
  if (icuData === undefined) throw new Error(`${binary} has no icudt*_dat symbol`);
  const first = Math.floor(icuData.address / 4096);
  const pages = Math.floor((icuData.address + icuData.size - 1) / 4096) - first + 1;
  const entries = Buffer.alloc(pages * 8);
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    readSync(fd, entries, 0, entries.length, first * 8);
  } finally {
    closeSync(fd);
  }
  let present = 0;
  for (let page = 0; page < pages; page++) if (entries.readBigUInt64LE(page * 8) >> 63n === 1n) present++;
  return (present * 4096) / 1024 / 1024;
}
