import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild } from '../../test/ops/harness/children.ts';
import { freePort } from '../../test/ops/harness/ports.ts';

export interface Runtime {
  name: string;
  /** The node binary. */
  node: string;
  version: string;
}

/** The Node this script runs on (the project's Node 24, under npm scripts and node_modules/.bin). */
export const projectNode: Runtime = { name: 'node', node: process.execPath, version: process.version };

export interface Spawned {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** performance.now() at spawn. */
  startedAt: number;
  /** ms from spawn to the first 200 of the ready path. */
  readyAfterMs: number;
  rssMb(): number;
  /** The highest RSS the server has had so far. */
  peakRssMb(): number;
  /** CPU time the server has used so far (every thread, user + system), in ms. */
  cpuMs(): number;
  /** The part of cpuMs spent in the kernel (system calls: sockets, files). */
  systemCpuMs(): number;
  stop(): Promise<void>;
}

const imageDockerfile = () => readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');

/** The node flags the Docker image starts the server with (its CMD), so the benchmark measures what ships. */
export function imageNodeFlags(): string[] {
  const dockerfile = imageDockerfile();
  const command = /^CMD (\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const words = command === undefined ? [] : (JSON.parse(command) as string[]);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/server.js') throw new Error('the Dockerfile has no CMD ["node", …flags, "dist/server.js"]');
  return words.slice(1, -1);
}

/** The malloc settings the Docker image runs the server with (its ENV GLIBC_TUNABLES), for the same reason. */
export function imageMallocTunables(): { GLIBC_TUNABLES: string } {
  const tunables = /^\s*(?:ENV\s+)?GLIBC_TUNABLES=(\S+)/m.exec(imageDockerfile())?.[1];
  if (tunables === undefined) throw new Error('the Dockerfile sets no GLIBC_TUNABLES');
  return { GLIBC_TUNABLES: tunables };
}

/** Resident set size of a process (or its peak so far, VmHWM), from /proc (Linux). */
export function rssMbOf(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${which}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU ms (user + system) in a /proc stat file: a process's (every thread) or one thread's (Linux). */
function cpuMsIn(statFile: string, which: 'all' | 'system' = 'all'): number {
  const stat = readFileSync(statFile, 'utf8');
  // The command name (field 2) may contain spaces: count the fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (which === 'all' ? Number(fields[11]) : 0) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond;
}

/** CPU time (user + system, every thread) a process has used so far, in ms, from /proc (Linux). */
const cpuMsOf = (pid: number, which: 'all' | 'system' = 'all'): number => cpuMsIn(`/proc/${pid}/stat`, which);

/** CPU ms so far of each live thread of `pid`, by thread id, with the thread's name (/proc/<pid>/task). */
export function threadCpuMs(pid: number): Map<number, { name: string; ms: number }> {
  const threads = new Map<number, { name: string; ms: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(Number(tid), { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), ms: cpuMsIn(`/proc/${pid}/task/${tid}/stat`) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/** Polls `url` until it answers 200; returns the elapsed ms since `startedAt`. */
async function waitFor200(url: string, startedAt: number, timeoutMs: number, child: ChildProcess): Promise<number> {
  while (performance.now() - startedAt < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/**
 * Starts a server pinned to `cpu` with taskset, logging to `logFile`, and waits for `readyPath` to answer 200.
 */
export async function startServer(options: {
  runtime: Runtime;
  script: string;
  env: Record<string, string>;
  cpu: number;
  logFile: string;
  readyPath: string;
  /** Flags for node itself, before the script (--cpu-prof, --max-semi-space-size, …). */
  nodeArgs?: string[];
  timeoutMs?: number;
}): Promise<Spawned> {
  const port = await freePort();
  const log = openSync(options.logFile, 'a');
  const startedAt = performance.now();
  const child = spawn('taskset', ['-c', String(options.cpu), options.runtime.node, ...(options.nodeArgs ?? []), options.script], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const readyAfterMs = await waitFor200(baseUrl + options.readyPath, startedAt, options.timeoutMs ?? 30_000, child);
    return {
      child,
      port,
      baseUrl,
      startedAt,
      readyAfterMs,
      rssMb: () => rssMbOf(child.pid!),
      peakRssMb: () => rssMbOf(child.pid!, 'VmHWM'),
      cpuMs: () => cpuMsOf(child.pid!),
      systemCpuMs: () => cpuMsOf(child.pid!, 'system'),
      stop: () => stopChild(child, 'SIGTERM', 10_000),
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
