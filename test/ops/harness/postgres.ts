import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { stopChild, track } from './children.ts';
import { freePort } from './ports.ts';

export interface ThrowawayPostgres {
  port: number;
  url: string;
  /** Fast shutdown, as in a restart or failover: sessions are terminated, new connections refused. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops every process of the server (SIGSTOP): connections stay open and nothing answers, like a network black hole. */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, versions[0]!, 'bin');
}

// initdb and postgres refuse to run as root: as root, run them as the `postgres` system account.
function runAs(): Pick<SpawnOptions, 'uid' | 'gid'> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitUntilAccepting(url: string, server: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms: ${log()}`);
      await sleep(100);
    }
  }
}

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, a free loopback port), so a
 * test can stop and start it without touching the machine's shared instance.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const owner = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'forum-ops-pg-'));
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...owner,
    stdio: 'pipe',
  });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    server = track(
      spawn(
        join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'full_page_writes=off'],
        { ...owner, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntilAccepting(url, server, () => output);
  };
  const stop = async () => {
    if (server === undefined || server.exitCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGINT');
    await exited;
  };

  // The postmaster and every backend it forked, so a frozen server answers on no connection at all.
  const processes = () => {
    const pid = server?.pid;
    if (pid === undefined || server?.exitCode !== null) return [];
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children];
  };
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of processes()) {
      try {
        process.kill(pid, signal);
      } catch {
        // Exited in the meantime.
      }
    }
  };
  // A frozen backend cannot notice its postmaster's death: never leave one behind.
  const thawOnExit = () => signalAll('SIGCONT');
  process.once('exit', thawOnExit);

  await start();
  return {
    port,
    url,
    stop,
    start,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async destroy() {
      process.off('exit', thawOnExit);
      signalAll('SIGCONT');
      if (server) await stopChild(server, 'SIGINT', 5000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
