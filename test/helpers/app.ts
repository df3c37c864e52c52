import pg from 'pg';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createApp, type App, type AppDependencies } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { prepareDatabase, type DatabaseHandle, type DatabaseProbe } from '../../src/db/index.ts';
import { createAccessTokens, type AccessTokens } from '../../src/features/auth/access-token.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import type { Logger } from '../../src/logger.ts';
import { defaultPostgresUrl } from '../setup/postgres.ts';

export type DatabaseKind = 'pglite' | 'postgres';
export const databaseKinds: readonly DatabaseKind[] = ['pglite', 'postgres'];

/**
 * The tests' PostgreSQL: the one the run's global setup chose (test/setup/postgres.ts: TEST_DATABASE_URL, the
 * machine's at 127.0.0.1:5432, or a throwaway one it started). Tests that need it fail loudly when it is
 * absent: they never skip.
 */
export const postgresUrl = process.env.TEST_DATABASE_URL ?? defaultPostgresUrl;
// Random-looking, as production requires of JWT_SECRET (the server processes of some tests run in production).
export const testSecret = 'k7Qz2vNwR4pX9sLm3JtY8uEa6HdB1cFg0WqZrTnVyKoM5iPj';
export const frontOrigin = 'https://yongheonn.com';

/** Where the tests' PostgreSQL is, and the variable that moves it (the benchmark passes its own). */
export interface PostgresLocation {
  adminUrl?: string;
  variable?: string;
}

/** Runs `run` on a client of the admin database: the tests' `postgresUrl` unless another is given. */
export async function postgresAdmin<T>(
  run: (client: pg.Client) => Promise<T>,
  { adminUrl = postgresUrl, variable = 'TEST_DATABASE_URL' }: PostgresLocation = {},
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required here and is not reachable at ${adminUrl} (${(error as Error).message}). ` +
        `Start it, or set ${variable}${variable === 'TEST_DATABASE_URL' ? ', or run the tests through npm (npm test starts a throwaway PostgreSQL when none answers)' : ''}. This does not skip.`,
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty schema in the test database (or the one `adminUrl` names), and the DATABASE_URL that makes it
 * the search path. `prefix` starts the schema's name.
 */
export async function createPostgresSchema(
  options: PostgresLocation & { prefix?: string } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const { prefix = 't', ...location } = options;
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await postgresAdmin((client) => client.query(`create schema ${schema}`), location);
  const url = new URL(location.adminUrl ?? postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: () => postgresAdmin((client) => client.query(`drop schema if exists ${schema} cascade`), location).then(() => undefined),
  };
}

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A logger whose lines the test can read back. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const logger = pino(
    {
      level,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[Redacted]' },
    },
    stream,
  );
  return { logger, lines };
}

export interface TestApp {
  app: App;
  config: Config;
  database: DatabaseHandle;
  probe: DatabaseProbe;
  lifecycle: Lifecycle;
  accessTokens: AccessTokens;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  logger?: Logger;
  /** OAuth provider endpoints on loopback (test/helpers/fake-oauth-provider.ts). */
  oauthEndpoints?: AppDependencies['oauthEndpoints'];
  /** false: no rate limits at all (the limiters are left out of every route, not raised). */
  rateLimits?: false;
}

let pgliteImage: Promise<Blob | undefined> | undefined;
/** The migrated data directory image the run's global setup made (test/setup/pglite-image.ts), if it made one. */
function testPgliteImage(): Promise<Blob | undefined> {
  const path = process.env.TEST_PGLITE_IMAGE;
  return (pgliteImage ??= path ? readFile(path).then((bytes) => new Blob([bytes])) : Promise.resolve(undefined));
}

/** The real app on a real database: in-memory PGlite, or a fresh schema of the local PostgreSQL. */
export async function startTestApp(kind: DatabaseKind, options: TestAppOptions = {}): Promise<TestApp> {
  // A DATABASE_URL given by the test (an unreachable server, say) is used as it is.
  const schema = kind === 'postgres' && !options.env?.DATABASE_URL ? await createPostgresSchema() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: testSecret,
    DATA_DIR: 'memory://',
    DATABASE_URL: schema?.url ?? '',
    DB_PROBE_INTERVAL_MS: '200',
    CORS_ORIGINS: frontOrigin,
    // The tests stand in for the load balancer: their X-Forwarded-For gives each caller its own address.
    TRUST_PROXY: 'loopback',
    // Tests write straight into the database and read back through the API: no cached lists unless a test asks.
    SUBJECT_LIST_CACHE_MS: '0',
    BOARD_LIST_CACHE_MS: '0',
    ...options.env,
  });
  const logger = options.logger ?? pino({ level: 'silent' });
  const pgliteImage = kind === 'pglite' ? await testPgliteImage() : undefined;
  const { database, probe } = await prepareDatabase(config.database, logger, { pgliteImage });
  const lifecycle = new Lifecycle();
  const accessTokens = createAccessTokens(config.jwt.secret);
  const app = createApp({
    config,
    logger,
    db: database.db,
    probe,
    lifecycle,
    accessTokens,
    oauthEndpoints: options.oauthEndpoints,
    ...(options.rateLimits === false ? { rateLimits: false } : {}),
  });
  return {
    app,
    config,
    database,
    probe,
    lifecycle,
    accessTokens,
    async close() {
      probe.stop();
      await database.close().catch(() => undefined);
      await schema?.drop();
    },
  };
}
