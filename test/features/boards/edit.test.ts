import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, type TestApp } from '../../helpers/app.ts';
import { addSubject, asFrontEnd, boardRow, postRaw, startForum, writePost } from '../../helpers/forum.ts';

for (const kind of databaseKinds) {
  describe(`POST /ajax/board/update and /ajax/board/delete on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let bob: string;
    let admin: string;
    before(async () => {
      ({ t, alice, bob, admin } = await startForum(kind));
    });
    after(() => t.close());

    const write = () => writePost(t, alice, { sid: 'free', title: 'before', content: '<p>before</p>' });
    // The front end sends bno as a string here (a URL parameter).
    const update = (token: string, body: Record<string, unknown>) => asFrontEnd(request(t.app).post('/ajax/board/update'), token).send(body);
    const edit = (bno: number) => ({ title: 'after', content: '<p>after</p><script>x()</script>', pw: 'XyZ789', bno: String(bno) });
    const remove = (token: string, rawJson: string) => postRaw(t, '/ajax/board/delete', token, rawJson);

    it('When the author edits with bno as a string, then 200 empty, the fields change (content sanitized) and update_date is set', async () => {
      const bno = await write();
      const res = await update(alice, edit(bno));
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      const row = await boardRow(t, bno);
      assert.deepEqual([row.title, row.content, row.pw], ['after', '<p>after</p>', 'XyZ789']);
      assert.ok(row.update_date instanceof Date);
    });

    it('When someone else edits, then 401 as in the original — administrators included', async () => {
      const bno = await write();
      for (const token of [bob, admin]) {
        const res = await update(token, edit(bno));
        assert.equal(res.status, 401);
        assert.equal(res.body.error.code, 'NOT_BOARD_AUTHOR');
      }
      assert.equal((await boardRow(t, bno)).title, 'before');
    });

    it('When §5.26 editing a deleted post is 404, then the deleted post stays unchanged', async () => {
      const bno = await write();
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).execute();
      const res = await update(alice, edit(bno));
      assert.equal(res.status, 404);
      assert.equal((await boardRow(t, bno)).title, 'before');
    });

    it('When §5.15 the post to edit does not exist, then 404 (the original answered 500)', async () => {
      assert.equal((await update(alice, edit(999999))).status, 404);
    });

    it('When an edit breaks the create rules, then 400 naming the field', async () => {
      const bno = await write();
      const fieldsOf = async (body: Record<string, unknown>) => (await update(alice, body)).body.error.fields.map((problem: { field: string }) => problem.field);
      assert.deepEqual(await fieldsOf({ ...edit(bno), pw: 'short' }), ['pw']);
      assert.deepEqual(await fieldsOf({ ...edit(bno), title: '' }), ['title']);
      assert.deepEqual(await fieldsOf({ ...edit(bno), content: '<iframe src="https://evil"></iframe>' }), ['content']);
      assert.deepEqual(await fieldsOf({ ...edit(bno), bno: 'abc' }), ['bno']);
    });

    it('When an edit carries a sid, then it is ignored: a post never changes subject', async () => {
      await addSubject(t, 'other');
      const bno = await write();
      assert.equal((await update(alice, { ...edit(bno), sid: 'other' })).status, 200);
      assert.equal((await boardRow(t, bno)).sid, 'free');
    });

    it('When the author deletes with a bare JSON string body ("57", as the front end sends), then it is soft-deleted', async () => {
      const bno = await write();
      const res = await remove(alice, JSON.stringify(String(bno)));
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      assert.equal((await boardRow(t, bno)).deleted, true);
      assert.equal((await request(t.app).get(`/ajax/board/read?bno=${bno}`)).status, 404);
    });

    it('When an administrator deletes with a bare JSON number body, then it is deleted', async () => {
      const bno = await write();
      assert.equal((await remove(admin, String(bno))).status, 200);
      assert.equal((await boardRow(t, bno)).deleted, true);
    });

    it('When someone else deletes, then 400 as in the original and the post stays', async () => {
      const bno = await write();
      const res = await remove(bob, String(bno));
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'NOT_BOARD_AUTHOR_OR_ADMIN');
      assert.equal((await boardRow(t, bno)).deleted, false);
    });

    it('When the post is unknown or already deleted, then 404 (the original: 500 and 200)', async () => {
      assert.equal((await remove(admin, '999999')).status, 404);
      const bno = await write();
      assert.equal((await remove(alice, String(bno))).status, 200);
      assert.equal((await remove(alice, String(bno))).status, 404);
    });

    for (const body of ['"abc"', '{"bno":1}', 'null', '1.5', '']) {
      it(`When the delete body is ${JSON.stringify(body)}, then 400`, async () => {
        const res = await remove(alice, body);
        assert.equal(res.status, 400);
      });
    }

    it('When nobody is logged in, then update and delete answer 401', async () => {
      const bno = await write();
      assert.equal((await update('', edit(bno))).status, 401);
      assert.equal((await remove('', String(bno))).status, 401);
    });
  });
}
