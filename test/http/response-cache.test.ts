import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { responseCache } from '../../src/http/response-cache.ts';

// The loads below stand in for the database reads the features give the cache.
describe('The response cache', () => {
  it('When many requests ask for a cold key at once, then it is loaded once for all of them', async () => {
    const cache = responseCache<string>({ maxAgeMs: 60_000, maxEntries: 10 });
    let loads = 0;
    const load = async () => `loaded ${++loads}`;
    const values = await Promise.all(Array.from({ length: 20 }, () => cache.get('all', load)));
    assert.equal(loads, 1);
    assert.ok(values.every((value) => value === 'loaded 1'));
    assert.equal(await cache.get('all', load), 'loaded 1');
  });

  it('When a write clears the cache while a load is running, then what that load read is not kept', async () => {
    const cache = responseCache<string>({ maxAgeMs: 60_000, maxEntries: 10 });
    let finishRead: (value: string) => void = () => undefined;
    const inFlight = cache.get('all', () => new Promise((resolve) => (finishRead = resolve)));
    cache.clear();
    finishRead('before the write');
    assert.equal(await inFlight, 'before the write');
    assert.equal(await cache.get('all', async () => 'after the write'), 'after the write');
  });

  it('When a load fails, then the next request loads again', async () => {
    const cache = responseCache<string>({ maxAgeMs: 60_000, maxEntries: 10 });
    await assert.rejects(cache.get('all', () => Promise.reject(new Error('database down'))));
    assert.equal(await cache.get('all', async () => 'back'), 'back');
  });

  it('When an entry is older than the maximum age, then it is loaded again', async () => {
    const cache = responseCache<string>({ maxAgeMs: 20, maxEntries: 10 });
    await cache.get('all', async () => 'first');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(await cache.get('all', async () => 'second'), 'second');
  });

  describe('refreshed ahead', () => {
    /**
     * A cache of 1 s entries holding 'first' under 'page', `ageMs` old by its clock, which the test moves on
     * with `advance` (the cache reads performance.now()).
     */
    const cacheAged = async (t: TestContext, ageMs: number) => {
      let now = 1_000_000;
      t.mock.method(performance, 'now', () => now);
      const cache = responseCache<string>({ maxAgeMs: 1000, maxEntries: 10 });
      await cache.get('page', async () => 'first');
      now += ageMs;
      return { cache, advance: (ms: number) => (now += ms) };
    };
    /** Lets a load the test just finished settle in the cache. */
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    /** A load the test finishes when it wants, counting how often it was started. */
    const controlledLoad = () => {
      const load = {
        started: 0,
        finish: (_value: string) => undefined as void,
        fail: (_error: Error) => undefined as void,
        run: () =>
          new Promise<string>((resolve, reject) => {
            load.started++;
            load.finish = resolve;
            load.fail = reject;
          }),
      };
      return load;
    };

    it('When an entry is in the last quarter of its maximum age, then requests get it at once while one load of its successor runs, and then get the successor without a load', async (t) => {
      const { cache, advance } = await cacheAged(t, 800);
      const next = controlledLoad();
      assert.equal(await cache.get('page', next.run), 'first');
      assert.equal(await cache.get('page', next.run), 'first');
      assert.equal(next.started, 1);
      next.finish('second');
      await settled();
      advance(300);
      assert.equal(await cache.get('page', () => Promise.reject(new Error('not loaded again'))), 'second');
    });

    it('When a load started ahead fails, then the entry is still answered until it expires and the next request tries again', async (t) => {
      const { cache, advance } = await cacheAged(t, 900);
      const failing = controlledLoad();
      assert.equal(await cache.get('page', failing.run), 'first');
      failing.fail(new Error('database down'));
      await settled();
      const retry = controlledLoad();
      assert.equal(await cache.get('page', retry.run), 'first');
      assert.equal(retry.started, 1);
      // Expired now: the request waits for the load already running instead of starting another.
      advance(200);
      const expired = cache.get('page', () => Promise.reject(new Error('a second load')));
      retry.finish('back');
      assert.equal(await expired, 'back');
    });

    it('When a write clears the cache while a load started ahead runs, then what that load read is not kept', async (t) => {
      const { cache } = await cacheAged(t, 800);
      const ahead = controlledLoad();
      await cache.get('page', ahead.run);
      cache.clear();
      ahead.finish('read before the write');
      await settled();
      assert.equal(await cache.get('page', async () => 'after the write'), 'after the write');
    });
  });

  it('When more keys are asked for than it holds, then the oldest entries go', async () => {
    const cache = responseCache<string>({ maxAgeMs: 60_000, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => `${key} 1`);
    assert.equal(await cache.get('c', async () => 'c 2'), 'c 1');
    assert.equal(await cache.get('a', async () => 'a 2'), 'a 2');
  });

  it('When the maximum age is 0, then nothing is kept but simultaneous loads are still shared', async () => {
    const cache = responseCache<number>({ maxAgeMs: 0, maxEntries: 10 });
    let loads = 0;
    const load = async () => ++loads;
    await Promise.all([cache.get('all', load), cache.get('all', load)]);
    assert.equal(loads, 1);
    assert.equal(await cache.get('all', load), 2);
  });
});
