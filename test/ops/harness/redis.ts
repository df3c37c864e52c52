import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild, track } from './children.ts';
import { accepts, freePort } from './ports.ts';

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** Stops it (SIGTERM): connections are closed, new ones refused. Nothing is saved. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** A Redis of the test's own (the `redis-server` binary on a free loopback port, no persistence), to stop and start. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const output: string[] = [];
    child = track(spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output.join('')}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen within 10 s: ${output.join('')}`);
      await sleep(50);
    }
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child) await stopChild(child, 'SIGTERM', 3000);
    },
    start,
  };
}
