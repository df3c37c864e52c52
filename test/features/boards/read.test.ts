import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, type TestApp } from '../../helpers/app.ts';
import { asFrontEnd, boardRow, concurrently, startForum, writePost } from '../../helpers/forum.ts';

const boardKeys = ['bno', 'sid', 's_bno', 'user_id', 'writer', 'title', 'content', 'view', 'recommend', 'reg_date', 'update_date', 'pw', 'deleted'];

for (const kind of databaseKinds) {
  describe(`GET /ajax/board/read on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let bob: string;
    let admin: string;
    let open: number;
    let ownerOnly: number;
    let coded: number;
    before(async () => {
      ({ t, alice, bob, admin } = await startForum(kind));
      open = await writePost(t, alice, { sid: 'free', title: 'open', content: '<p>hello</p>' });
      ownerOnly = await writePost(t, alice, { sid: 'free', title: 'mine', pw: 'nonpw' });
      coded = await writePost(t, alice, { sid: 'free', title: 'coded', pw: 'AbC123' });
    });
    after(() => t.close());

    const read = (bno: number | string, token = '') => asFrontEnd(request(t.app).get(`/ajax/board/read?bno=${bno}`), token);

    it('When anyone reads a public post, then all 13 keys come in order, with the view count as it was before this view', async () => {
      const before = (await boardRow(t, open)).view;
      const res = await read(open);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body), boardKeys);
      assert.deepEqual({ ...res.body, reg_date: 'x' }, {
        bno: open, sid: 'free', s_bno: 0, user_id: null, writer: 'alice', title: 'open', content: '<p>hello</p>',
        view: before, recommend: 0, reg_date: 'x', update_date: null, pw: null, deleted: false,
      });
      assert.match(res.body.reg_date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.equal((await boardRow(t, open)).view, before + 1);
    });

    it('When the author reads a secret post, then user_id is "id" and pw is the real stored value', async () => {
      const res = await read(coded, alice);
      assert.equal(res.status, 200);
      assert.equal(res.body.user_id, 'id');
      assert.equal(res.body.pw, 'AbC123');
      assert.equal((await read(ownerOnly, alice)).body.pw, 'nonpw');
    });

    it("When an administrator reads someone's secret post, then it opens, masked: user_id null and pw \"pw\"", async () => {
      const res = await read(coded, admin);
      assert.equal(res.status, 200);
      assert.equal(res.body.user_id, null);
      assert.equal(res.body.pw, 'pw');
    });

    it('When a stranger reads an author-only post, then 401 SECRET_POST_OWNER_ONLY and no view is counted', async () => {
      const before = (await boardRow(t, ownerOnly)).view;
      for (const token of [bob, '']) {
        const res = await read(ownerOnly, token);
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'SECRET_POST_OWNER_ONLY');
      }
      assert.equal((await boardRow(t, ownerOnly)).view, before);
    });

    it('When a stranger reads a post that opens with a code, then 428 (the front end shows its code pad)', async () => {
      const res = await read(coded, bob);
      assert.equal(res.status, 428);
      assert.equal(res.body.error.code, 'SECRET_POST_NEEDS_CODE');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });

    it('When §5.15 unknown bno is 404, then the original 500 is gone, for huge numbers too', async () => {
      for (const bno of [999999, 2147483647]) {
        const res = await read(bno);
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'BOARD_NOT_FOUND');
      }
    });

    it('When the post was deleted, then 404', async () => {
      const gone = await writePost(t, alice, { sid: 'free' });
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', gone).execute();
      assert.equal((await read(gone)).status, 404);
    });

    for (const bno of ['abc', '0', '-3', '1.5', '2147483648', '']) {
      it(`When bno is ${JSON.stringify(bno)}, then 400 naming bno`, async () => {
        const res = await read(bno);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.error.fields.map((problem: { field: string }) => problem.field), ['bno']);
      });
    }

    it('When 20 readers open a post at once, then the view counter goes up by exactly 20 (incremented in SQL)', async () => {
      const before = (await boardRow(t, open)).view;
      const statuses = await concurrently(t, 20, (baseUrl) => fetch(`${baseUrl}/ajax/board/read?bno=${open}`));
      assert.deepEqual(statuses, Array(20).fill(200));
      assert.equal((await boardRow(t, open)).view, before + 20);
    });

    it('When the post was edited, then update_date is a "YYYY-MM-DD HH:MM:SS" string', async () => {
      const edited = await writePost(t, alice, { sid: 'free' });
      await t.database.db.updateTable('board').set({ update_date: new Date(Date.UTC(2024, 5, 30, 23, 30, 0)) }).where('bno', '=', edited).execute();
      assert.equal((await read(edited)).body.update_date, '2024-07-01 08:30:00');
    });
  });
}
