import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, type TestApp } from '../../helpers/app.ts';
import { addSubject, asFrontEnd, postRaw, startForum, writePost } from '../../helpers/forum.ts';

interface ListItem {
  bno: number;
  title: string;
  view: number;
  recommend: number;
}

for (const kind of databaseKinds) {
  describe(`The cached board list on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let bob: string;
    let subjects = 0;
    before(async () => {
      // Longer than any test: only a write can change what a cached page shows here.
      ({ t, alice, bob } = await startForum(kind, { env: { BOARD_LIST_CACHE_MS: '600000' } }));
    });
    after(() => t.close());

    /** A subject of its own for each test, with one post in it, listed once so its page is cached. */
    async function cachedPage(): Promise<{ sid: string; bno: number; etag: string }> {
      const sid = `cached${++subjects}`;
      await addSubject(t, sid);
      const bno = await writePost(t, alice, { sid, title: 'first title' });
      const res = await list(sid);
      assert.equal(res.status, 200);
      return { sid, bno, etag: res.headers.etag ?? '' };
    }
    const list = (sid: string, etag?: string) => {
      const test = asFrontEnd(request(t.app).get(`/ajax/board/list?sid=${sid}&page=1`));
      return etag === undefined ? test : test.set('If-None-Match', etag);
    };
    const items = (res: request.Response) => JSON.parse(res.text) as ListItem[];

    it('When the page is revalidated unchanged, then 304 without a body, with X-Total-Count and CORS headers', async () => {
      const { sid, etag } = await cachedPage();
      const res = await list(sid, etag);
      assert.equal(res.status, 304);
      assert.equal(res.text, '');
      assert.equal(res.headers['x-total-count'], '1');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.equal(res.headers['cache-control'], 'no-cache');
    });

    it('When a post is read, then the cached page keeps its old view count (it lags by at most BOARD_LIST_CACHE_MS)', async () => {
      const { sid, bno, etag } = await cachedPage();
      assert.equal((await asFrontEnd(request(t.app).get(`/ajax/board/read?bno=${bno}`))).status, 200);
      const res = await list(sid, etag);
      assert.equal(res.status, 304);
    });

    it('When a post is written, then the next list shows it and the new total at once', async () => {
      const { sid, etag } = await cachedPage();
      await writePost(t, bob, { sid, title: 'second post' });
      const res = await list(sid, etag);
      assert.equal(res.status, 200);
      assert.deepEqual(items(res).map((item) => item.title), ['first title', 'second post']);
      assert.equal(res.headers['x-total-count'], '2');
    });

    it('When a post is edited, then the next list shows its new title at once', async () => {
      const { sid, bno } = await cachedPage();
      const edit = await asFrontEnd(request(t.app).post('/ajax/board/update'), alice).send({ bno, title: 'new title', content: '<p>x</p>', pw: null });
      assert.equal(edit.status, 200);
      assert.equal(items(await list(sid))[0]?.title, 'new title');
    });

    it('When a post is deleted, then it leaves the next list and the total at once', async () => {
      const { sid, bno } = await cachedPage();
      assert.equal((await postRaw(t, '/ajax/board/delete', alice, String(bno))).status, 200);
      const res = await list(sid);
      assert.deepEqual(items(res), []);
      assert.equal(res.headers['x-total-count'], '0');
    });

    it('When a post is recommended, then the next list shows the new count at once', async () => {
      const { sid, bno } = await cachedPage();
      assert.equal((await postRaw(t, '/ajax/board/recommend', bob, String(bno))).status, 200);
      assert.equal(items(await list(sid))[0]?.recommend, 1);
    });
  });

  describe(`Posts written through another instance, on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      ({ t } = await startForum(kind, { env: { BOARD_LIST_CACHE_MS: '200' } }));
    });
    after(() => t.close());

    it('When another instance deletes a post, then this one stops listing it once BOARD_LIST_CACHE_MS has passed', async () => {
      const alice = await t.accessTokens.issue({ id: 'alice1', role: 'ROLE_USER_CERT' });
      const bno = await writePost(t, alice, { sid: 'free' });
      const listed = async () => (JSON.parse((await request(t.app).get('/ajax/board/list?sid=free&page=1')).text) as ListItem[]).length;
      assert.equal(await listed(), 1);
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).execute();
      const deadline = Date.now() + 5000;
      let count = 1;
      while (Date.now() < deadline && count > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        count = await listed();
      }
      assert.equal(count, 0);
    });
  });
}
