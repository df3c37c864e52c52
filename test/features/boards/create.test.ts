import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, startTestApp, type TestApp } from '../../helpers/app.ts';
import { addSubject, addUser, asFrontEnd, boardRow, concurrently, guestToken, writePost } from '../../helpers/forum.ts';

for (const kind of databaseKinds) {
  describe(`POST /ajax/board/create on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    before(async () => {
      t = await startTestApp(kind);
      await t.database.db.deleteFrom('subject').execute();
      alice = await addUser(t, 'alice1', 2, 'alice');
      await addSubject(t, 'free');
    });
    after(() => t.close());

    const create = (token: string, body: unknown) => asFrontEnd(request(t.app).post('/ajax/board/create'), token).send(body as object);
    const post = { title: 'Hello', content: '<p>first</p>', pw: null, sid: 'free' };
    const fieldsOf = (res: request.Response) => res.body.error.fields.map((problem: { field: string }) => problem.field);

    it("When a verified user writes a post, then the answer is the bare bno and the row carries the caller's id and current nick", async () => {
      await addSubject(t, 'fresh');
      const res = await create(alice, { ...post, sid: 'fresh' });
      assert.equal(res.status, 200);
      assert.match(res.text, /^\d+$/);
      const row = await boardRow(t, res.body);
      assert.equal(row.user_id, 'alice1');
      assert.equal(row.writer, 'alice');
      assert.equal(row.s_bno, 0);
      assert.equal(row.pw, null);
      const subject = await t.database.db.selectFrom('subject').select('btotal').where('id', '=', 'fresh').executeTakeFirstOrThrow();
      assert.equal(subject.btotal, 1);
    });

    it("When an administrator or a guest writes, then it is allowed, and the guest's post is its own (its id and nick)", async () => {
      const admin = await addUser(t, 'admin', 3);
      const guest = await guestToken(t);
      assert.equal((await create(admin, post)).status, 200);
      const res = await create(guest, post);
      assert.equal(res.status, 200);
      const row = await boardRow(t, res.body);
      assert.match(row.user_id, /^guest_[a-z0-9]{12}$/);
      assert.equal(row.writer, row.user_id);
    });

    it('When an unverified account writes, then 401 as in the original', async () => {
      const unverified = await addUser(t, 'newbie1', 1);
      const res = await create(unverified, post);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'CANNOT_POST');
    });

    it('When nobody is logged in, then 401', async () => {
      assert.equal((await create('', post)).status, 401);
    });

    it('When the token names an account that no longer exists, then 401 UNKNOWN_ACCOUNT, not a 500', async () => {
      const ghost = await t.accessTokens.issue({ id: 'ghost1', role: 'ROLE_USER_CERT' });
      const res = await create(ghost, post);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNKNOWN_ACCOUNT');
    });

    it('When §5.23 the subject does not exist, then 404 SUBJECT_NOT_FOUND (the original answered 500)', async () => {
      const res = await create(alice, { ...post, sid: 'nowhere' });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'SUBJECT_NOT_FOUND');
    });

    for (const pw of ['nonpw', 'AbC123', '000000', null, undefined]) {
      it(`When pw is ${JSON.stringify(pw)}, then the post is accepted and stores ${JSON.stringify(pw ?? null)}`, async () => {
        const res = await create(alice, { ...post, pw });
        assert.equal(res.status, 200);
        assert.equal((await boardRow(t, res.body)).pw, pw ?? null);
      });
    }

    for (const pw of ['', 'abc', 'abcdefg', 'abc-12', 'NONPW', 123456]) {
      it(`When pw is ${JSON.stringify(pw)}, then 400 naming pw`, async () => {
        const res = await create(alice, { ...post, pw });
        assert.equal(res.status, 400);
        assert.deepEqual(fieldsOf(res), ['pw']);
      });
    }

    it('When content is missing or null, then 400 naming content (the original answered 500)', async () => {
      assert.deepEqual(fieldsOf(await create(alice, { ...post, content: undefined })), ['content']);
      assert.deepEqual(fieldsOf(await create(alice, { ...post, content: null })), ['content']);
    });

    it('When the title is missing, blank or longer than 100 characters, then 400 naming title', async () => {
      for (const title of [undefined, '   ', 'x'.repeat(101)]) assert.deepEqual(fieldsOf(await create(alice, { ...post, title })), ['title']);
    });

    it('When the body is not an object, then 400', async () => {
      const res = await asFrontEnd(request(t.app).post('/ajax/board/create'), alice).send('"just a string"');
      assert.equal(res.status, 400);
    });

    it('When the content is nothing but a script tag, then 400 naming content, as the original refused it', async () => {
      const res = await create(alice, { ...post, content: '<script>alert(document.cookie)</script>' });
      assert.equal(res.status, 400);
      assert.deepEqual(fieldsOf(res), ['content']);
    });

    it('When the content carries stored XSS (§5.5), then it is stripped and the rest is stored', async () => {
      const content = '<p onclick="steal()">hi</p><img src="x" onerror="steal()"><script>steal()</script><a href="javascript:steal()">l</a>';
      const res = await create(alice, { ...post, content });
      assert.equal(res.status, 200);
      assert.equal((await boardRow(t, res.body)).content, '<p>hi</p><img src="x" /><a>l</a>');
    });

    it('When the content is empty (the front end sends "" before anything is typed), then it is accepted', async () => {
      assert.equal((await create(alice, { ...post, content: '' })).status, 200);
    });

    it('When the body carries fields the server sets itself, then they are ignored (Jackson-like)', async () => {
      const res = await create(alice, { ...post, bno: 9999, s_bno: 77, user_id: 'admin', writer: 'someone else', view: 1000, deleted: true });
      assert.equal(res.status, 200);
      const row = await boardRow(t, res.body);
      assert.notEqual(row.bno, 9999);
      assert.deepEqual([row.user_id, row.writer, row.view, row.deleted], ['alice1', 'alice', 0, false]);
    });

    it("When the subject's btotal lags behind its posts (imported data), then the next s_bno still follows the last one", async () => {
      await addSubject(t, 'lagging');
      await writePost(t, alice, { sid: 'lagging' });
      await writePost(t, alice, { sid: 'lagging' });
      await t.database.db.updateTable('subject').set({ btotal: 0 }).where('id', '=', 'lagging').execute();
      const bno = await writePost(t, alice, { sid: 'lagging' });
      assert.equal((await boardRow(t, bno)).s_bno, 2);
    });

    it('When §5.23 concurrent creates never reuse an s_bno, then 20 simultaneous posts get 20 distinct numbers 0–19', async () => {
      await addSubject(t, 'race');
      const statuses = await concurrently(t, 20, (baseUrl, index) =>
        fetch(`${baseUrl}/ajax/board/create`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: alice },
          body: JSON.stringify({ ...post, title: `racer ${index}`, sid: 'race' }),
        }),
      );
      assert.deepEqual(statuses, Array(20).fill(200));
      const rows = await t.database.db.selectFrom('board').select('s_bno').where('sid', '=', 'race').orderBy('s_bno').execute();
      assert.deepEqual(rows.map((row) => row.s_bno), Array.from({ length: 20 }, (_, index) => index));
      const subject = await t.database.db.selectFrom('subject').select('btotal').where('id', '=', 'race').executeTakeFirstOrThrow();
      assert.equal(subject.btotal, 20);
    });
  });
}
