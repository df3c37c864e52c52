import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { runDirectly } from './compiled.ts';
import { claimDataDir } from './data-dir-lock.ts';
import { initialImageBlob, isInitialised, unpackInitialImage } from './initial-image.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, safe to log (no credentials). */
  location: string;
  close(): Promise<void>;
}

export function openDatabase(config: Config['database'], logger: Logger): DatabaseHandle {
  return config.embedded ? openPglite(config.dataDir, logger) : openPostgres(config, logger);
}

function openPglite(dataDir: string, logger: Logger): DatabaseHandle {
  // Required here, not imported: a PostgreSQL deployment never loads PGlite's code (~2 MB of memory, ~20 ms).
  const { PGlite } = createRequire(import.meta.url)('@electric-sql/pglite') as { PGlite: typeof PGliteClass };
  const inMemory = dataDir === 'memory://';
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const release = inMemory ? () => undefined : claimDataDir(location);
  // A new directory starts as the shipped image of a new database rather than through initdb (seconds of CPU).
  if (!inMemory && !isInitialised(location) && unpackInitialImage(location)) {
    logger.info({ location }, 'new embedded database: unpacked the initial image (db-image/initial.tar.gz)');
  }
  // PGlite already runs without fsync (-F). Its PostgreSQL would also reserve 128 MB of shared buffers inside
  // the WebAssembly memory, which only grows: 16 MB hold a development forum's tables and indexes many times over.
  const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
  // An in-memory one (tests, MIGRATE checks) loads the same image: the tests start dozens of them.
  const image = inMemory ? initialImageBlob() : undefined;
  const pglite = inMemory ? new PGlite({ startParams, ...(image ? { loadDataDir: image } : {}) }) : new PGlite(location, { startParams });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', location, close: () => db.destroy().finally(release) };
}

/**
 * node-postgres, required on first use rather than imported: the embedded database never loads it (~10 MB,
 * ~60 ms at start). The pool here and the cache-notice listener (cache-notices.ts) both take it from here.
 */
export const requirePg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

function openPostgres(config: Config['database'], logger: Logger): DatabaseHandle {
  const { Pool } = requirePg();
  const pool = new Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // The client-side bound also covers a server that accepted the connection and then went silent.
    query_timeout: config.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: config.statementTimeoutMs * 2,
    application_name: 'forum-api',
  });
  // An idle client whose server went away emits on the pool; a checked-out one (a query or transaction in
  // progress) emits on itself, where pg-pool listens no longer. Unhandled, either would stop the process: every
  // instance at once at a failover. The query in progress fails on its own and answers 503.
  pool.on('error', (error) => logger.warn({ err: error }, 'database connection lost (it will be replaced)'));
  pool.on('connect', (client) => client.on('error', (error) => logger.warn({ err: error }, 'database connection lost while in use')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // The compiled hot reads (src/db/compiled.ts) go through pool.query. It discards a connection whose query
  // failed, which Kysely would keep: these reads and view-count updates fail only when the connection does.
  runDirectly(db, async (sql, parameters) => (await pool.query(sql, parameters as unknown[])).rows);
  return { db, kind: 'postgres', location: describePostgresUrl(config.url), close: () => db.destroy() };
}

/** The connection URL as given, its password masked (in the user part and as a `password` parameter). */
export function maskPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replaceAll('%2A%2A%2A', '***');
  } catch {
    return '(an unparseable URL)';
  }
}

/** host:port/database of a connection URL, without user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
