import type { Config } from './config.ts';
import { listenForCacheNotices, type CacheNotices } from './db/cache-notices.ts';
import type { DatabaseHandle } from './db/index.ts';
import { memoryRateLimits, postgresRateLimits, redisRateLimitsAt, type RateLimitStores } from './http/rate-limit-stores.ts';
import type { Logger } from './logger.ts';

export interface SharedState {
  rateLimitStores: RateLimitStores;
  /** Undefined on the embedded database: one process owns it, so its caches are the only ones. */
  cacheNotices: CacheNotices | undefined;
  /** Both, as createApp takes them. */
  appDependencies: { rateLimitStores: RateLimitStores; cacheNotices?: CacheNotices };
  close(): Promise<void>;
}

/**
 * What several instances on one PostgreSQL share besides the data: the rate limits' counters (in Redis with
 * REDIS_URL, else in PostgreSQL; in this process on the embedded database) and the caches' invalidations
 * (PostgreSQL LISTEN/NOTIFY).
 */
export function openSharedState(config: Config, database: DatabaseHandle, logger: Logger): SharedState {
  const postgres = database.kind === 'postgres';
  const rateLimitStores = config.redisUrl
    ? redisRateLimitsAt(config.redisUrl, logger)
    : postgres
      ? postgresRateLimits(database.db, logger)
      : memoryRateLimits();
  const cacheNotices = postgres ? listenForCacheNotices(database.db, config.database, logger) : undefined;
  return {
    rateLimitStores,
    cacheNotices,
    appDependencies: { rateLimitStores, ...(cacheNotices ? { cacheNotices } : {}) },
    async close() {
      await cacheNotices?.close();
      await rateLimitStores.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the rate-limit store failed'));
    },
  };
}
