import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../helpers/accounts.ts';
import { createPostgresSchema, frontOrigin, memoryLogger, postgresAdmin, startTestApp, type TestApp } from '../helpers/app.ts';
import { addSubject, addUser, asFrontEnd, postRaw, writePost } from '../helpers/forum.ts';

// Two instances of the app on one PostgreSQL schema, each with what src/server.ts gives it: rate limits counted
// in PostgreSQL and caches invalidated through LISTEN/NOTIFY. Caches on, as in production.
const sharedEnv = { SUBJECT_LIST_CACHE_MS: '5000', BOARD_LIST_CACHE_MS: '1000', BOARD_POST_CACHE_MS: '1000', DB_PROBE_INTERVAL_MS: '200' };
const loginLimit = 20;

/** Polls until `check` holds, answering how long that took; fails after `withinMs`. */
async function within(withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > withinMs) assert.fail(`not seen within ${withinMs} ms`);
    await sleep(5);
  }
}

describe('Two instances on one PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  let alice: string;
  const logs = memoryLogger('info');
  before(async () => {
    schema = await createPostgresSchema();
    const env = { ...sharedEnv, DATABASE_URL: schema.url };
    a = await startTestApp('postgres', { env, sharedState: true, logger: logs.logger });
    b = await startTestApp('postgres', { env, sharedState: true });
    admin = await addUser(a, 'admin', 3);
    alice = await addUser(a, 'alice1', 2, 'alice');
    await addSubject(a, 'free');
    await storeUser(a.database.db, { id: 'victim', pw: 'a-long-password-1', nick: 'victim', email: 'victim@example.com', auth: 2 });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  const login = (t: TestApp, from: string) =>
    request(t.app).post('/ajax/login/').set('Origin', frontOrigin).set('X-Forwarded-For', from).send({ id: 'victim', pw: 'wrong-guess-000' });

  it(`When one address guesses passwords through both instances in turn, then the ${loginLimit + 1}th guess in all is refused, not the ${2 * loginLimit + 1}th`, async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < loginLimit + 1; attempt++) statuses.push((await login(attempt % 2 === 0 ? a : b, '198.51.100.7')).status);
    assert.deepEqual(statuses.slice(0, loginLimit), Array(loginLimit).fill(401));
    assert.equal(statuses[loginLimit], 429);
    assert.equal((await login(b, '198.51.100.7')).status, 429);
    // Another address is counted on its own.
    assert.equal((await login(a, '198.51.100.8')).status, 401);
  });

  it('When an instance is replaced by a new one (a restart), then the count goes on where it was', async () => {
    // The address of the test above is at its limit.
    const restarted = await startTestApp('postgres', { env: { ...sharedEnv, DATABASE_URL: schema.url }, sharedState: true });
    try {
      assert.equal((await login(restarted, '198.51.100.7')).status, 429);
    } finally {
      await restarted.close();
    }
  });

  it('When a subject is created through A, then B, whose list was cached, lists it within 100 ms', async () => {
    const listed = async (t: TestApp) => ((await request(t.app).get('/ajax/subject/all')).body as Array<{ id: string }>).map(({ id }) => id);
    assert.ok(!(await listed(b)).includes('news'));
    const res = await asFrontEnd(request(a.app).post('/ajax/subject/regi'), admin).send({ id: 'news', title: 'News', description: '', admin: 'admin' });
    assert.equal(res.status, 200, res.text);
    const tookMs = await within(100, async () => (await listed(b)).includes('news'));
    assert.ok(tookMs < 100);
  });

  it('When a post is deleted through A, then B, whose list page was cached, drops it within 100 ms', async () => {
    const bno = await writePost(a, alice, { sid: 'free', title: 'to be deleted' });
    const page = async (t: TestApp) => ((await request(t.app).get('/ajax/board/list').query({ sid: 'free', page: 1 })).body as Array<{ bno: number }>).map((post) => post.bno);
    await within(100, async () => (await page(b)).includes(bno));
    const deleted = await postRaw(a, '/ajax/board/delete', alice, String(bno));
    assert.equal(deleted.status, 200, deleted.text);
    await within(100, async () => !(await page(b)).includes(bno));
  });

  it('When a post is edited through A, then B, which had the post cached, reads the new title within 100 ms', async () => {
    const bno = await writePost(a, alice, { sid: 'free', title: 'first title' });
    const title = async (t: TestApp) => ((await request(t.app).get('/ajax/board/read').query({ bno })).body as { title: string }).title;
    assert.equal(await title(b), 'first title');
    const edited = await asFrontEnd(request(a.app).post('/ajax/board/update'), alice).send({ bno, sid: 'free', title: 'second title', content: '<p>text</p>', pw: null });
    assert.equal(edited.status, 200, edited.text);
    await within(100, async () => (await title(b)) === 'second title');
  });

  it('When the listener connection is cut, then it reconnects and notices reach B again', async () => {
    const listed = async (t: TestApp) => ((await request(t.app).get('/ajax/subject/all')).body as Array<{ id: string }>).map(({ id }) => id);
    await listed(b);
    const cut = await postgresAdmin((client) =>
      // Any other run's listeners reconnect the same way.
      client.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'forum-api cache notices'`),
    );
    assert.ok(cut.rowCount! >= 2, `expected both listeners, found ${cut.rowCount}`);
    // Back within the first reconnect delay (250 ms) and a connection.
    await sleep(1000);
    const res = await asFrontEnd(request(a.app).post('/ajax/subject/regi'), admin).send({ id: 'later', title: 'Later', description: '', admin: 'admin' });
    assert.equal(res.status, 200, res.text);
    await within(100, async () => (await listed(b)).includes('later'));
    assert.ok(logs.lines.some((line) => line.msg.includes('listener connection lost')), 'the loss is logged');
  });
});
