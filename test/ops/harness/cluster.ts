import { createPostgresSchema } from '../../helpers/app.ts';
import { productionEnv, spawnServer, type ServerProcess } from '../../helpers/server-process.ts';
import { stopChild, track } from './children.ts';
import { startHaproxy, type Haproxy, type HaproxyOptions } from './haproxy.ts';
import { freePort } from './ports.ts';

export interface ClusterOptions {
  /** Environment of every server process, on top of the cluster's defaults. */
  serverEnv?: Record<string, string>;
  haproxy?: Omit<HaproxyOptions, 'targets'>;
  size?: number;
  /** A database of the test's own; by default a fresh schema of the local PostgreSQL, shared by the targets. */
  databaseUrl?: string;
}

export interface RestartTimings {
  /** From SIGTERM until HAProxy marked the target DOWN. */
  markedDownMs: number;
  /** From SIGTERM until the old process exited. */
  exitedMs: number;
  exitCode: number | null;
  /** From spawning the new process until HAProxy marked it UP again. */
  backUpMs: number;
}

export interface Cluster {
  haproxy: Haproxy;
  servers: ServerProcess[];
  names: string[];
  ports: number[];
  restart(index: number): Promise<RestartTimings>;
  stop(): Promise<void>;
}

/**
 * The production shape scaled down: HAProxy standing in for the ALB in front of real server processes
 * (`node src/server.ts`) in production mode, sharing one PostgreSQL database.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const schema = options.databaseUrl ? undefined : await createPostgresSchema();
  const env = {
    ...productionEnv,
    DATABASE_URL: options.databaseUrl ?? schema!.url,
    SHUTDOWN_DRAIN_MS: '0',
    DB_PROBE_INTERVAL_MS: '500',
    ...options.serverEnv,
  };
  const size = options.size ?? 2;
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const names = ports.map((_, index) => `t${index + 1}`);
  const launch = async (port: number) => {
    const server = await spawnServer({ ...env, PORT: String(port) });
    track(server.child);
    return server;
  };
  // One at a time: the first start migrates the shared schema.
  const servers: ServerProcess[] = [];
  let haproxy: Haproxy | undefined;
  try {
    for (const port of ports) servers.push(await launch(port));
    haproxy = await startHaproxy({ ...options.haproxy, targets: names.map((name, index) => ({ name, port: ports[index]! })) });
    const started = haproxy;
    await Promise.all(names.map((name) => started.waitForStatus(name, 'UP')));
  } catch (error) {
    // A half-started cluster must not keep the test process alive (the servers are our children).
    await haproxy?.stop();
    await Promise.all(servers.map((server) => stopChild(server.child, 'SIGKILL')));
    await schema?.drop();
    throw error;
  }

  return {
    haproxy,
    servers,
    names,
    ports,
    async restart(index) {
      const old = servers[index]!;
      const name = names[index]!;
      const signalled = Date.now();
      old.kill('SIGTERM');
      const markedDownMs = await haproxy.waitForStatus(name, 'DOWN', 30_000);
      const { code } = await old.exited;
      const exitedMs = Date.now() - signalled;
      const spawned = Date.now();
      servers[index] = await launch(ports[index]!);
      await haproxy.waitForStatus(name, 'UP', 30_000);
      return { markedDownMs, exitedMs, exitCode: code, backUpMs: Date.now() - spawned };
    },
    async stop() {
      await haproxy.stop();
      await Promise.all(servers.map((server) => stopChild(server.child, 'SIGKILL')));
      await schema?.drop();
    },
  };
}
