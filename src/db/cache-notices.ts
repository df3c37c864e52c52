import { sql } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { requirePg, type Db } from './database.ts';

/** The PostgreSQL channel every instance listens on; a notice's payload is the name of the stale cache. */
export const cacheChannel = 'forum_api_cache';

/**
 * Cross-instance cache invalidation (src/http/response-cache.ts): a write publishes the name of the cache it made
 * stale with NOTIFY, and every instance LISTENing drops that cache at once. The listener has a connection of
 * its own; when it is lost it reconnects (backing off to every 5 s) and, once back, drops every cache it
 * serves, since notices sent meanwhile were missed. Until then the caches live for their maximum age only.
 */
export interface CacheNotices {
  /** Tells every instance (this one included) that the cache `name` is stale. */
  publish(name: string): void;
  /** Calls `drop` when any instance publishes `name`, and after the listener reconnects. */
  subscribe(name: string, drop: () => void): void;
  /** Whether notices are being received now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export interface CacheNoticeOptions {
  /** How often the listener's connection is checked (a silent network drop is noticed within this + the timeout). */
  checkIntervalMs?: number;
}

export function listenForCacheNotices(db: Db, config: Config['database'], logger: Logger, options: CacheNoticeOptions = {}): CacheNotices {
  const checkIntervalMs = options.checkIntervalMs ?? config.probeIntervalMs;
  const subscribers = new Map<string, Array<() => void>>();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let everConnected = false;

  const dropAll = () => {
    for (const drops of subscribers.values()) for (const drop of drops) drop();
  };

  const lost = (current: pg.Client, error: unknown) => {
    if (client !== current) return;
    client = undefined;
    if (listening) logger.warn({ err: error }, 'cache notices: listener connection lost; caches fall back to their maximum age until it is back');
    listening = false;
    current.removeAllListeners('notification');
    current.on('error', () => undefined);
    void current.end().catch(() => undefined);
    scheduleConnect();
  };

  const scheduleConnect = () => {
    if (closed || retry !== undefined) return;
    const delay = Math.min(250 * 2 ** failures, 5000);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  };

  async function connect(): Promise<void> {
    // Only a PostgreSQL deployment listens: node-postgres is loaded here, on first use.
    const { Client } = requirePg();
    const current = new Client({
      connectionString: config.url,
      connectionTimeoutMillis: config.connectTimeoutMs,
      query_timeout: config.statementTimeoutMs + 1000,
      keepAlive: true,
      application_name: 'forum-api cache notices',
    });
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current, new Error('connection ended')));
    current.on('notification', ({ payload }) => {
      for (const drop of subscribers.get(payload ?? '') ?? []) drop();
    });
    client = current;
    try {
      await current.connect();
      await current.query(`listen ${cacheChannel}`);
    } catch (error) {
      failures++;
      if (failures === 1) logger.warn({ err: error }, 'cache notices: cannot listen; caches fall back to their maximum age meanwhile');
      lost(current, error);
      return;
    }
    if (closed) {
      await current.end().catch(() => undefined);
      return;
    }
    listening = true;
    failures = 0;
    // Whatever was published while nobody listened here is unknown: start over.
    if (everConnected) {
      dropAll();
      logger.info('cache notices: listening again; caches dropped');
    }
    everConnected = true;
  }

  // A connection the network dropped in silence raises nothing until it is used.
  const check = setInterval(() => {
    const current = client;
    if (current === undefined || !listening) return;
    current.query('select 1').catch((error: unknown) => lost(current, error));
  }, checkIntervalMs);
  check.unref();
  void connect();

  return {
    publish(name) {
      sql`select pg_notify(${cacheChannel}, ${name})`
        .execute(db)
        .catch((error: unknown) => logger.warn({ err: error, cache: name }, 'cache notices: publishing failed; other instances keep their copy for its maximum age'));
    },
    subscribe(name, drop) {
      subscribers.set(name, [...(subscribers.get(name) ?? []), drop]);
    },
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearInterval(check);
      clearTimeout(retry);
      const current = client;
      client = undefined;
      listening = false;
      current?.removeAllListeners('end');
      await current?.end().catch(() => undefined);
    },
  };
}
