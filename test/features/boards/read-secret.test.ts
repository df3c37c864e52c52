import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, type TestApp } from '../../helpers/app.ts';
import { asFrontEnd, boardRow, startForum, writePost } from '../../helpers/forum.ts';

for (const kind of databaseKinds) {
  describe(`GET /ajax/board/read-secret on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let bob: string;
    before(async () => {
      ({ t, alice, bob } = await startForum(kind));
    });
    after(() => t.close());

    // Each test writes its own post: the rate limit counts per client and post.
    const post = (pw: string | null) => writePost(t, alice, { sid: 'free', title: 'secret', content: '<p>inside</p>', pw });
    const readSecret = (bno: number | string, code: string, token = '') =>
      asFrontEnd(request(t.app).get(`/ajax/board/read-secret?bno=${bno}&pw=${code}`), token);

    it('When a reader gives the right code, then the post opens masked (user_id null, pw "pw") and no view is counted', async () => {
      const bno = await post('abc123');
      const res = await readSecret(bno, 'abc123', bob);
      assert.equal(res.status, 200);
      assert.equal(res.body.content, '<p>inside</p>');
      assert.equal(res.body.user_id, null);
      assert.equal(res.body.pw, 'pw');
      assert.equal((await boardRow(t, bno)).view, 0);
    });

    it('When the author opens it with the code, then user_id is "id" and pw the real code', async () => {
      const bno = await post('abc123');
      const res = await readSecret(bno, 'abc123', alice);
      assert.deepEqual([res.body.user_id, res.body.pw], ['id', 'abc123']);
    });

    it('When §5.14 upper-case codes open read-secret, then a code with capitals works (the original always said 400)', async () => {
      const bno = await post('AbC123');
      const res = await readSecret(bno, 'AbC123');
      assert.equal(res.status, 200);
      assert.equal(res.body.title, 'secret');
    });

    it('When the code differs only in case, then it does not open the post (codes are case-sensitive)', async () => {
      const bno = await post('AbC123');
      const res = await readSecret(bno, 'abc123');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'WRONG_SECRET_CODE');
    });

    it('When the code is wrong, then 400 WRONG_SECRET_CODE (the front end says "wrong code")', async () => {
      const bno = await post('abc123');
      const res = await readSecret(bno, 'zzz999');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'WRONG_SECRET_CODE');
    });

    it('When the post is author-only ("nonpw"), then no code opens it', async () => {
      const bno = await post('nonpw');
      assert.equal((await readSecret(bno, 'nonpw1')).status, 400);
    });

    for (const code of ['abc12', 'abc1234', 'abc-12', '']) {
      it(`When the code is malformed (${JSON.stringify(code)}), then 400 naming pw`, async () => {
        const bno = await post('abc123');
        const res = await readSecret(bno, code);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.error.fields.map((problem: { field: string }) => problem.field), ['pw']);
      });
    }

    it('When §5.15 read-secret is asked for a public post, then it is answered as it is (the original answered 500)', async () => {
      const bno = await post(null);
      const res = await readSecret(bno, 'abc123');
      assert.equal(res.status, 200);
      assert.equal(res.body.pw, null);
    });

    it('When §5.15 the post is unknown or deleted, then 404', async () => {
      assert.equal((await readSecret(999999, 'abc123')).status, 404);
      const bno = await post('abc123');
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).execute();
      assert.equal((await readSecret(bno, 'abc123')).status, 404);
    });

    it('When one client keeps guessing a code, then the 11th try within 10 minutes gets 429 with CORS headers and Retry-After', async () => {
      const bno = await post('abc123');
      for (let guess = 0; guess < 10; guess++) assert.equal((await readSecret(bno, `zzz00${guess}`)).status, 400);
      const res = await readSecret(bno, 'abc123');
      assert.equal(res.status, 429);
      assert.equal(res.body.error.code, 'TOO_MANY_REQUESTS');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.ok(Number(res.headers['retry-after']) > 0);
    });

    it('When the post number is spelled differently ("0" prefix), then it shares the same counter', async () => {
      const bno = await post('abc123');
      for (let guess = 0; guess < 5; guess++) await readSecret(bno, `zzz00${guess}`);
      for (let guess = 0; guess < 5; guess++) await readSecret(`0${bno}`, `zzz00${guess}`);
      assert.equal((await readSecret(`00${bno}`, 'abc123')).status, 429);
    });

    it('When a client is limited on one post, then it can still open another', async () => {
      const [limited, other] = [await post('abc123'), await post('abc123')];
      for (let guess = 0; guess < 11; guess++) await readSecret(limited, `zzz00${guess}`);
      assert.equal((await readSecret(other, 'abc123')).status, 200);
    });
  });
}
