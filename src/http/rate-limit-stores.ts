import { createRequire } from 'node:module';
import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { sql, type Kysely } from 'kysely';
import type * as RateLimitRedis from 'rate-limit-redis';
import type * as Redis from 'redis';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

/**
 * Where the rate limits count (src/http/rate-limit.ts asks for one store per limit): in this process on the
 * embedded database (one process owns it), in PostgreSQL with DATABASE_URL, in Redis with REDIS_URL. A
 * shared store that cannot be reached is replaced, for the moment, by counters in this process: the API keeps
 * answering and every limit still holds per instance until the store is back.
 */
export interface RateLimitStores {
  kind: 'memory' | 'postgres' | 'redis';
  /** A fresh store for one limit (express-rate-limit wants one per limiter). */
  create(): Store;
  close(): Promise<void>;
}

/** How long a shared store may take to count a hit before this instance counts it itself. */
const storeDeadlineMs = 1000;
/** After a failure, how long hits are counted here before the shared store is tried again. */
const retryAfterMs = 2000;

export function memoryRateLimits(): RateLimitStores {
  return { kind: 'memory', create: () => new MemoryStore(), close: async () => undefined };
}

/** One per backend: whether the shared store answers, logged once per change rather than once per request. */
class StoreHealth {
  private downUntil = 0;
  private down = false;
  private readonly kind: string;
  private readonly logger: Logger;
  constructor(kind: string, logger: Logger) {
    this.kind = kind;
    this.logger = logger;
  }

  get usable(): boolean {
    return performance.now() >= this.downUntil;
  }

  failed(error: unknown): void {
    this.downUntil = performance.now() + retryAfterMs;
    if (this.down) return;
    this.down = true;
    this.logger.warn({ err: error, store: this.kind }, `rate-limit store (${this.kind}) unreachable: limits are counted per instance until it answers again`);
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info({ store: this.kind }, `rate-limit store (${this.kind}) answers again: limits are shared again`);
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A shared store with a per-instance stand-in: every hit goes to the shared store, and while that fails (or
 * takes longer than a second) to counters in this process, so a login stays limited, per instance.
 */
class FallbackStore implements Store {
  readonly localKeys = false;
  private readonly local = new MemoryStore();
  private options: Options | undefined;
  private ready: Promise<void> | undefined;
  private readonly shared: Store;
  private readonly health: StoreHealth;

  constructor(shared: Store, health: StoreHealth) {
    this.shared = shared;
    this.health = health;
  }

  init(options: Options): void {
    this.options = options;
    this.local.init(options);
    void this.initShared().catch(() => undefined);
  }

  // A store whose start failed (the store was down) starts again on the next try.
  private initShared(): Promise<void> {
    this.ready ??= Promise.resolve(this.shared.init?.(this.options!)).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async onShared<T>(work: () => Promise<T> | T): Promise<T> {
    const attempt = async () => {
      await this.initShared();
      return work();
    };
    const result = await withDeadline(attempt(), storeDeadlineMs);
    this.health.answered();
    return result;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    if (this.health.usable) {
      try {
        return await this.onShared(() => this.shared.increment(key));
      } catch (error) {
        this.health.failed(error);
      }
    }
    return this.local.increment(key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    if (this.health.usable && this.shared.get) {
      try {
        return await this.onShared(() => this.shared.get!(key));
      } catch (error) {
        this.health.failed(error);
      }
    }
    return this.local.get(key);
  }

  async decrement(key: string): Promise<void> {
    await this.local.decrement(key);
    if (this.health.usable) await this.onShared(() => this.shared.decrement(key)).catch((error: unknown) => this.health.failed(error));
  }

  async resetKey(key: string): Promise<void> {
    await this.local.resetKey(key);
    if (this.health.usable) await this.onShared(() => this.shared.resetKey(key)).catch((error: unknown) => this.health.failed(error));
  }

  shutdown(): void {
    this.local.shutdown();
  }
}

/**
 * Counters in the `rate_limit_counter` table: a hit is one upsert that starts a new window when the old one has
 * ended and otherwise adds one, answering the count and the window's end.
 */
class PostgresStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await sql<{ hits: number; reset_at: Date }>`
      insert into rate_limit_counter as c (key, hits, reset_at)
      values (${key}, 1, now() + ${this.windowMs} * interval '1 millisecond')
      on conflict (key) do update set
        hits = case when c.reset_at <= now() then 1 else c.hits + 1 end,
        reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end
      returning hits, reset_at`.execute(this.db);
    const row = rows[0]!;
    return { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db.selectFrom('rate_limit_counter').select(['hits', 'reset_at']).where('key', '=', key).where('reset_at', '>', sql<Date>`now()`).executeTakeFirst();
    return row === undefined ? undefined : { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db.updateTable('rate_limit_counter').set({ hits: sql`greatest(hits - 1, 0)` }).where('key', '=', key).where('reset_at', '>', sql<Date>`now()`).execute();
  }

  async resetKey(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limit_counter').where('key', '=', key).execute();
  }
}

/** Every this often, rows whose window ended are deleted (a hit on an ended window reuses its row anyway). */
const sweepEveryMs = 10 * 60_000;

export function postgresRateLimits(db: Kysely<Database>, logger: Logger): RateLimitStores {
  const health = new StoreHealth('postgres', logger);
  const sweep = setInterval(() => {
    db.deleteFrom('rate_limit_counter')
      .where('reset_at', '<', sql<Date>`now() - interval '1 minute'`)
      .execute()
      .catch((error: unknown) => logger.debug({ err: error }, 'sweeping ended rate-limit windows failed'));
  }, sweepEveryMs);
  sweep.unref();
  return {
    kind: 'postgres',
    create: () => new FallbackStore(new PostgresStore(db), health),
    close: async () => clearInterval(sweep),
  };
}

/** What the Redis store needs of a client: raw commands (node-redis `sendCommand`). */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

export const redisKeyPrefix = 'forum-api:rate-limit:';

// Required when REDIS_URL is set, not imported: node-redis and its modules cost every other start about
// 300 ms and 25 MB (measured on Node 24) for a client it never opens.
const require = createRequire(import.meta.url);

export function redisRateLimits(client: RedisCommands, logger: Logger, close: () => Promise<void>): RateLimitStores {
  const health = new StoreHealth('redis', logger);
  const { RedisStore } = require('rate-limit-redis') as typeof RateLimitRedis;
  return {
    kind: 'redis',
    create: () =>
      new FallbackStore(
        new RedisStore({ prefix: redisKeyPrefix, sendCommand: (...args: string[]) => client.sendCommand(args) as Promise<never> }),
        health,
      ),
    close,
  };
}

/**
 * A Redis client for the limits: commands fail at once while it is disconnected (instead of queueing, so a
 * hit is counted here meanwhile), and it reconnects by itself, backing off to every 2 s.
 */
export function redisRateLimitsAt(url: string, logger: Logger): RateLimitStores {
  const { createClient } = require('redis') as typeof Redis;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: storeDeadlineMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  });
  // Each failed reconnect emits here; the store's own warning says what it means for the limits.
  client.on('error', (error: unknown) => logger.debug({ err: error }, 'redis connection error'));
  client.connect().catch((error: unknown) => logger.warn({ err: error }, 'redis: the first connection failed; retrying in the background'));
  return redisRateLimits(client, logger, async () => {
    client.destroy();
  });
}
