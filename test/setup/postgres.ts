import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { accepts } from '../ops/harness/ports.ts';

/** Where the tests look for PostgreSQL when TEST_DATABASE_URL is unset (trust auth, database `test`). */
export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** How the run got its PostgreSQL, for the one line the run prints about it. */
export interface TestPostgres {
  url: string;
  description: string;
  stop(): Promise<void>;
}

const keeperPath = fileURLToPath(new URL('./embedded-postgres-keeper.ts', import.meta.url));

/** Starts the keeper and waits for its one line; it stops the server when our end of its stdin closes. */
async function startEmbedded(): Promise<TestPostgres> {
  const keeper: ChildProcess = spawn(process.execPath, [keeperPath], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: keeper.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(keeper, 'exit').then(([code]) => [JSON.stringify({ error: `the keeper exited with ${code} before answering` })]),
  ])) as [string];
  lines.close();
  keeper.stdout!.destroy();
  const answer = JSON.parse(line) as { url: string; version: string; dir: string } | { error: string };
  if ('error' in answer) throw new Error(`could not start the embedded PostgreSQL: ${answer.error}`);
  // Neither the keeper nor the pipe to it may keep the runner alive: the runner's exit is what stops it.
  keeper.unref();
  (keeper.stdin as unknown as { unref(): void }).unref();
  const port = new URL(answer.url).port;
  return {
    url: answer.url,
    description: `started PostgreSQL ${answer.version} from the embedded-postgres package on 127.0.0.1:${port} (data in ${answer.dir}, removed when the run ends)`,
    async stop() {
      if (keeper.exitCode !== null) return;
      const exited = once(keeper, 'exit');
      // Unreferenced since the start (see above): while we wait for it, it must keep this process alive.
      keeper.ref();
      keeper.stdin!.end();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    },
  };
}

/**
 * The PostgreSQL a test run uses: TEST_DATABASE_URL when set; else the machine's at 127.0.0.1:5432 when
 * anything answers there; else one throwaway server started for this run. The choice is exported to the test
 * files (child processes of the runner) through TEST_DATABASE_URL.
 */
export async function provideTestPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, description: 'TEST_DATABASE_URL', stop: async () => undefined };
  const defaultUrl = new URL(defaultPostgresUrl);
  if (await accepts(Number(defaultUrl.port), defaultUrl.hostname)) {
    return { url: defaultPostgresUrl, description: `the server at ${defaultUrl.host} (database ${defaultUrl.pathname.slice(1)})`, stop: async () => undefined };
  }
  const embedded = await startEmbedded();
  embedded.description = `nothing answers at ${defaultUrl.host} and TEST_DATABASE_URL is unset: ${embedded.description}`;
  process.env.TEST_DATABASE_URL = embedded.url;
  return embedded;
}
