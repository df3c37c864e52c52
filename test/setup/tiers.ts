/**
 * The test tiers and what each needs beyond Node and npm. `npm test` (the default tier) needs nothing else:
 * its PostgreSQL is the machine's or a throwaway one (test/setup/postgres.ts). Every other tier checks its
 * servers and tools before any test runs and, when one is missing, stops the run with one line saying what
 * and how to get it: a tier never skips in silence. `.ci/run` installs and starts everything and runs them all.
 *
 * Each tier's global setup (the `--test-global-setup` module of its npm script) is one of these.
 */
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { chromiumPath } from '../helpers/chromium.ts';
import { mariadbUrl } from '../import/original-forum.ts';
import { provideTestPostgres, type TestPostgres } from './postgres.ts';

/** Answers what is missing and how to get it, in a few words, or undefined when the requirement is met. */
type Requirement = () => Promise<string | undefined>;

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const onPath = (command: string) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutable(join(dir, command)));

/** A command from a Debian package (`apt-get install <debianPackage>`). */
const command = (name: string, debianPackage: string, sbin = false): Requirement => async () =>
  onPath(name) || (sbin && isExecutable(`/usr/sbin/${name}`)) ? undefined : `${name} is missing (apt-get install ${debianPackage})`;

const chromium: Requirement = async () => (isExecutable(chromiumPath) ? undefined : `Chromium is missing at ${chromiumPath} (apt-get install chromium)`);

const mariadb: Requirement = async () => {
  try {
    const connection = await mysql.createConnection({ uri: mariadbUrl, connectTimeout: 3000 });
    await connection.end();
    return undefined;
  } catch (error) {
    return `MariaDB is not reachable at ${mariadbUrl} (${(error as Error).message}: start it or set TEST_MYSQL_URL)`;
  }
};

/** The tests' Redis: the machine's at 127.0.0.1:6379 (TEST_REDIS_URL moves it), answering PING. */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis: Requirement = async () => {
  const { hostname, port } = new URL(testRedisUrl);
  const answer = await new Promise<string>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    let reply = '';
    const done = (text: string) => {
      socket.destroy();
      resolve(text);
    };
    socket.setTimeout(2000, () => done('no answer within 2 s'));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.trim());
    });
    socket.on('error', (error) => done(error.message));
  });
  return answer === '+PONG' ? undefined : `Redis is not answering at ${testRedisUrl} (${answer}: apt-get install redis-server, then redis-server --daemonize yes --port 6379; or set TEST_REDIS_URL)`;
};

interface Tier {
  script: string;
  needs: Requirement[];
  postgres: boolean;
}

const tiers = {
  default: { script: 'npm test', needs: [], postgres: true },
  mysql: { script: 'npm run test:mysql', needs: [mariadb], postgres: true },
  tools: { script: 'npm run test:tools', needs: [command('openssl', 'openssl'), command('systemd-analyze', 'systemd')], postgres: false },
  browser: { script: 'npm run test:browser', needs: [chromium], postgres: false },
  ops: { script: 'npm run test:ops', needs: [command('haproxy', 'haproxy', true), chromium], postgres: true },
  redis: { script: 'npm run test:redis', needs: [redis, command('redis-server', 'redis-server'), command('haproxy', 'haproxy', true)], postgres: true },
} satisfies Record<string, Tier>;

/** The global setup and teardown of one tier. */
export function tierSetup(name: keyof typeof tiers) {
  const tier: Tier = tiers[name];
  let postgres: TestPostgres | undefined;
  return {
    async globalSetup() {
      // Every test file is a process that compiles the app again: Node's compile cache (inherited by the test
      // processes and the servers they spawn) saves each about 0.3 s of CPU after the first run.
      process.env.NODE_COMPILE_CACHE ??= fileURLToPath(new URL('../../node_modules/.cache/node-compile-cache', import.meta.url));
      const missing = (await Promise.all(tier.needs.map((requirement) => requirement()))).filter(Boolean);
      if (missing.length > 0) {
        process.stderr.write(`${tier.script} cannot run: ${missing.join('; ')}. No test ran (.ci/run installs and starts what every tier needs).\n`);
        process.exit(1);
      }
      if (!tier.postgres) return;
      try {
        postgres = await provideTestPostgres();
      } catch (error) {
        process.stderr.write(`${tier.script} cannot run: ${(error as Error).message}\n`);
        process.exit(1);
      }
      process.stderr.write(`PostgreSQL for the tests: ${postgres.description}\n`);
    },
    async globalTeardown() {
      await postgres?.stop();
    },
  };
}
