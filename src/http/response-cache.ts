import type { CacheNotices } from '../db/cache-notices.ts';

/**
 * Answers kept in process for a while, per key. One load per key runs at a time, shared by every request
 * waiting for it, so an expired popular entry costs one database read, not one per waiting request.
 *
 * Refreshed ahead: a request for an entry in the last quarter of its maximum age still gets that entry at
 * once and starts the next load in the background. Under steady traffic a popular entry is replaced before it
 * expires, so no request waits for the database behind it (before, every second, a board page's expiry held
 * all of the requests for it for the length of one query: short against a local PostgreSQL, where board/read's
 * p99 did not move, longer across a network), and no answer is older than the maximum age.
 */
export interface ResponseCache<T> {
  /** The value cached under `key` if younger than the maximum age, else what `load` answers. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Drops every entry. */
  clear(): void;
  /**
   * Answers what `change` (a write that alters what is cached) answers, and drops every entry once it has
   * settled, whether or not it succeeded: a write that failed half-way may still have changed rows.
   */
  invalidatedBy<T>(change: Promise<T>): Promise<T>;
}

export interface ResponseCacheOptions<T> {
  /** 0: nothing is kept (concurrent loads of one key are still shared). */
  maxAgeMs: number;
  /** Keys come from requests: past this many, the oldest entry goes. */
  maxEntries: number;
  /** Values it refuses (too big to hold, say) are answered to the requests waiting for them, not kept. */
  keepIf?: (value: T) => boolean;
  /**
   * With several instances on one PostgreSQL: a write here drops this cache on every instance at once, through
   * these notices under `name` (src/db/cache-notices.ts). While they are down, the maximum age bounds staleness.
   */
  shared?: { name: string; notices: CacheNotices };
}

/** The share of its maximum age after which a request for an entry starts loading its successor. */
const refreshAheadAfter = 0.75;

export function responseCache<T>({ maxAgeMs, maxEntries, keepIf, shared }: ResponseCacheOptions<T>): ResponseCache<T> {
  const entries = new Map<string, { value: T; loadedAt: number }>();
  const loading = new Map<string, Promise<T>>();
  // Bumped by clear(), so a load that started before a write can never store what it read.
  let generation = 0;

  function keep(key: string, value: T, loadedAt: number): void {
    if (maxAgeMs === 0 || (keepIf !== undefined && !keepIf(value))) return;
    entries.delete(key);
    entries.set(key, { value, loadedAt });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  /** Starts `load` as the one load of `key` that requests share until it settles. */
  function startLoad(key: string, load: () => Promise<T>): Promise<T> {
    const pending = reload(key, load);
    loading.set(key, pending);
    return pending;
  }

  async function reload(key: string, load: () => Promise<T>): Promise<T> {
    const startedIn = generation;
    const startedAt = performance.now();
    try {
      const value = await load();
      if (startedIn === generation) keep(key, value, startedAt);
      return value;
    } finally {
      if (startedIn === generation) loading.delete(key);
    }
  }

  function clear(): void {
    generation++;
    entries.clear();
    loading.clear();
  }

  shared?.notices.subscribe(shared.name, clear);

  return {
    get(key, load) {
      const entry = entries.get(key);
      const age = entry === undefined ? Infinity : performance.now() - entry.loadedAt;
      const pending = loading.get(key);
      if (age >= maxAgeMs) return pending ?? startLoad(key, load);
      if (age >= maxAgeMs * refreshAheadAfter && pending === undefined) {
        // Nobody waits for this load: a failure is left for the request that finds the entry expired.
        startLoad(key, load).catch(() => undefined);
      }
      return Promise.resolve(entry!.value);
    },
    clear,
    invalidatedBy: (change) =>
      change.finally(() => {
        clear();
        shared?.notices.publish(shared.name);
      }),
  };
}
