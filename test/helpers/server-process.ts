import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { prepareDatabase, type Db } from '../../src/db/index.ts';
import { createPostgresSchema, testSecret, type DatabaseKind } from './app.ts';
import { runCommand } from './run-command.ts';

/** What a production start needs besides JWT_SECRET (given by spawnServer): mail goes nowhere in these tests. */
export const productionEnv = { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' } as const;

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Every JSON log line the process has written so far. */
  logs: Array<Record<string, unknown>>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Spawns `node src/server.ts` (the same Node that runs the tests) and resolves once it listens. */
export async function spawnServer(env: Record<string, string> = {}, timeoutMs = 20_000, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, serverEntry], {
    env: {
      PATH: process.env.PATH,
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      JWT_SECRET: testSecret,
      LOG_LEVEL: 'info',
      // The tests (and their HAProxy) stand in for the load balancer, on loopback.
      TRUST_PROXY: 'loopback',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let pending = '';
  // 'close', not 'exit': the last log lines may still be in the pipe when the process has exited.
  const exited = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Killed, not left behind: a server still starting would keep the test file running forever.
      child.kill('SIGKILL');
      reject(new Error(`server did not listen within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(Number(String(entry.address).split(':').pop()));
        }
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await listening;
  return { child, port, logs, stderr: () => stderr, exited, kill: (signal = 'SIGTERM') => child.kill(signal) };
}

/** Runs the server entry with the given environment and collects how it ended (for start-up failures). */
export function runServerToExit(env: Record<string, string>, timeoutMs = 20_000) {
  return runCommand(process.execPath, [serverEntry], { PATH: process.env.PATH, ...env }, timeoutMs);
}

/**
 * A server process on a database of its own (a PGlite directory, or a fresh PostgreSQL schema) that was
 * migrated and given `seed` beforehand, the way an operator leaves it before the first start.
 */
export async function spawnServerOn(
  kind: DatabaseKind,
  env: Record<string, string>,
  seed: (db: Db) => Promise<void>,
  nodeArgs: string[] = [],
): Promise<{ server: ServerProcess; stop(): Promise<void> }> {
  const schema = kind === 'postgres' ? await createPostgresSchema() : undefined;
  const dataDir = schema ? undefined : await mkdtemp(join(tmpdir(), 'forum-api-'));
  const location: Record<string, string> = schema ? { DATABASE_URL: schema.url } : { DATA_DIR: dataDir! };
  const removeDatabase = async () => {
    await schema?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: testSecret, ...location });
    const { database, probe } = await prepareDatabase(config.database, pino({ level: 'silent' }));
    probe.stop();
    try {
      await seed(database.db);
    } finally {
      await database.close();
    }
    const server = await spawnServer({ ...location, ...env }, undefined, nodeArgs);
    return {
      server,
      async stop() {
        server.kill('SIGTERM');
        await server.exited;
        await removeDatabase();
      },
    };
  } catch (error) {
    await removeDatabase();
    throw error;
  }
}
