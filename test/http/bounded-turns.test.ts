import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import request from 'supertest';
import { requestListener } from '../../src/app.ts';
import { boundedTurns } from '../../src/http/bounded-turns.ts';
import { startTestApp } from '../helpers/app.ts';

/** A listener that records which requests (by url) it has started. */
function recording() {
  const started: string[] = [];
  const listener = (req: IncomingMessage) => {
    started.push(req.url ?? '');
  };
  return { started, listener: listener as (req: IncomingMessage, res: ServerResponse) => void };
}

const fakeRequest = (url: string) => [{ url } as IncomingMessage, {} as ServerResponse] as const;

describe('Requests started per turn of the event loop', () => {
  it('When 20 requests arrive in one turn, then 8 start at once and the rest in arrival order, 8 per later turn', async () => {
    const { started, listener } = recording();
    const bounded = boundedTurns(listener, 8);
    const urls = Array.from({ length: 20 }, (_, index) => `/${index}`);
    for (const url of urls) bounded(...fakeRequest(url));
    assert.deepEqual(started, urls.slice(0, 8));
    await nextTurn();
    assert.deepEqual(started, urls.slice(0, 16));
    await nextTurn();
    assert.deepEqual(started, urls);
  });

  it('When a request arrives while others wait, then it starts after them, never before', async () => {
    const { started, listener } = recording();
    const bounded = boundedTurns(listener, 2);
    for (const url of ['/a', '/b', '/c', '/d']) bounded(...fakeRequest(url));
    await nextTurn();
    // The turn that started /c and /d is full: /e waits for the next one.
    bounded(...fakeRequest('/e'));
    assert.deepEqual(started, ['/a', '/b', '/c', '/d']);
    await nextTurn();
    assert.deepEqual(started, ['/a', '/b', '/c', '/d', '/e']);
  });

  it('When fewer requests than the bound arrive in each turn, then every one starts at once', async () => {
    const { started, listener } = recording();
    const bounded = boundedTurns(listener, 8);
    for (let turn = 0; turn < 5; turn++) {
      for (let index = 0; index < 8; index++) {
        bounded(...fakeRequest(`/${turn}-${index}`));
        assert.equal(started.length, turn * 8 + index + 1);
      }
      await nextTurn();
    }
  });

  it('When 50 requests reach the server listener at once, then every one is answered, the health probe among them too', async () => {
    const t = await startTestApp('pglite');
    try {
      const listener = requestListener(t.app);
      const agent = request(listener);
      const answers = await Promise.all([
        ...Array.from({ length: 50 }, () => agent.get('/ajax/subject/all')),
        agent.get('/ajax/health/'),
      ]);
      assert.deepEqual(answers.map((res) => res.status), Array.from({ length: 51 }, () => 200));
    } finally {
      await t.close();
    }
  });
});
