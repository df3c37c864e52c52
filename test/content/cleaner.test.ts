import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { htmlCleaner } from '../../src/content/cleaner.ts';
import { ApiError } from '../../src/http/errors.ts';
import { hostileHtml } from '../fixtures/hostile-html.ts';
import { v8PagesMb, v8PagesOnceAtMost } from '../helpers/smaps.ts';

/** The status of a cleaning: 200 when cleaned, else the catalogue error's (an empty result is refused by the service, 400). */
async function statusOf(cleaning: Promise<string>): Promise<{ status: number; error?: ApiError }> {
  try {
    return { status: (await cleaning).trim() === '' ? 400 : 200 };
  } catch (error) {
    assert.ok(error instanceof ApiError, `not from the error catalogue: ${String(error)}`);
    return { status: error.status, error };
  }
}

describe('The sanitizer threads and their heap limit', () => {
  const production = htmlCleaner();
  // Enough for a thread to start, not for the 480 kB post.
  const small = htmlCleaner({ heap: { maxOldGenerationSizeMb: 12, maxYoungGenerationSizeMb: 2 } });
  after(() => Promise.all([production.close(), small.close()]));

  it('When every hostile and heaviest accepted content is cleaned within the production heap limit, then each gets its own answer and none runs out of memory', async () => {
    for (const { name, html, status } of hostileHtml) {
      const outcome = await statusOf(production.clean(html, 'content'));
      assert.equal(outcome.status, status, `${name}: ${outcome.error?.message ?? 'cleaned'}`);
      assert.doesNotMatch(outcome.error?.message ?? '', /memory/, name);
    }
  });

  it('When content needs more memory than a thread may use, then it is refused with 400 naming the field, and a new thread cleans the next content', async () => {
    const heaviest = hostileHtml.find(({ name }) => name.startsWith('a 480 kB post'))!;
    const outcome = await statusOf(small.clean(heaviest.html, 'content'));
    assert.equal(outcome.status, 400);
    assert.equal(outcome.error?.code, 'CONTENT_TOO_COMPLEX');
    assert.deepEqual(outcome.error?.fields?.map(({ field }) => field), ['content']);
    assert.equal(await small.clean('<p>fine <b>again</b></p>', 'content'), '<p>fine <b>again</b></p>');
  });
});

describe('The sanitizer threads between writes', () => {
  const idleMs = 300;
  const cleaner = htmlCleaner({ idleMs });
  after(() => cleaner.close());

  it('When no write has come for longer than the idle time, then no thread is left holding memory, and the next write starts one and is cleaned', async () => {
    assert.equal(cleaner.threads(), 0, 'no thread before the first write');
    assert.equal(await cleaner.clean('<p>one</p><script>x</script>', 'content'), '<p>one</p>');
    assert.equal(cleaner.threads(), 1);
    const deadline = Date.now() + idleMs + 5_000;
    while (cleaner.threads() > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(cleaner.threads(), 0, `a thread is still running ${idleMs + 5_000} ms after the last write`);
    assert.equal(await cleaner.clean('<p>two</p>', 'content'), '<p>two</p>');
  });
});

describe('The sanitizer threads after a burst of writes', { skip: process.platform !== 'linux' && 'reads /proc/self/smaps' }, () => {
  // Threads that stay up: what is given back here is given back by a running thread.
  const cleaner = htmlCleaner({ idleMs: 60_000 });
  after(() => cleaner.close());

  it('When the hostile contents have been cleaned and a quiet moment follows, then the heap pages their cleaning took leave the process while the thread keeps running', async () => {
    for (const { html } of hostileHtml) await statusOf(cleaner.clean(html, 'content'));
    const afterBurst = v8PagesMb();
    // Without the release they stay for the thread's life (here a minute); the thread runs at the lowest priority.
    const afterQuiet = await v8PagesOnceAtMost(afterBurst - 8, 5_000);
    assert.ok(afterQuiet <= afterBurst - 8, `V8 heap pages ${afterBurst.toFixed(1)} MB after the burst, still ${afterQuiet.toFixed(1)} MB 5 s later`);
    assert.equal(cleaner.threads(), 1);
    assert.equal(await cleaner.clean('<p>after</p>', 'content'), '<p>after</p>');
  });
});
