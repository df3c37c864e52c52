import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { addSubject, addUser, asFrontEnd, writePost } from '../../helpers/forum.ts';

for (const kind of databaseKinds) {
  describe(`Subjects (regi, get, update, delete) on ${kind}`, () => {
    let t: TestApp;
    let admin: string;
    let mod: string;
    let other: string;
    before(async () => {
      t = await startTestApp(kind);
      admin = await addUser(t, 'admin', 3);
      mod = await addUser(t, 'moder1', 2);
      other = await addUser(t, 'other1', 2);
    });
    after(() => t.close());
    beforeEach(async () => {
      await t.database.db.deleteFrom('board').execute();
      await t.database.db.deleteFrom('subject').execute();
    });

    const regi = (token: string, body: unknown) => asFrontEnd(request(t.app).post('/ajax/subject/regi'), token).send(body as object);
    const update = (token: string, body: unknown) => asFrontEnd(request(t.app).post('/ajax/subject/update'), token).send(body as object);
    const subject = { id: 'free', title: 'Free talk', description: '<p>anything</p>', admin: 'moder1' };

    it('When an administrator creates a subject, then the answer is its id as a bare JSON string and get returns it', async () => {
      const res = await regi(admin, subject);
      assert.equal(res.status, 200);
      assert.equal(res.text, '"free"');
      const got = await asFrontEnd(request(t.app).get('/ajax/subject/get?sid=free'));
      assert.equal(got.status, 200);
      assert.equal(got.text, JSON.stringify({ id: 'free', title: 'Free talk', description: '<p>anything</p>', admin: 'moder1', btotal: 0 }));
    });

    it('When a subject is fetched (or only its headers), then it carries the headers of every JSON answer, its length in bytes and no ETag', async () => {
      // subject/get writes its body itself (sendJson) instead of res.json: the same headers, in the same order.
      await t.database.db.insertInto('subject').values({ id: 'free', title: '자유게시판', description: '', admin: 'moder1' }).execute();
      const body = JSON.stringify({ id: 'free', title: '자유게시판', description: '', admin: 'moder1', btotal: 0 });
      for (const method of ['get', 'head'] as const) {
        const res = await asFrontEnd(request(t.app)[method]('/ajax/subject/get?sid=free'));
        assert.equal(res.status, 200);
        const { date, 'x-request-id': requestId, ...headers } = res.headers;
        assert.ok(date && requestId);
        assert.deepEqual(Object.entries(headers), [
          ['content-security-policy', "default-src 'none';frame-ancestors 'none'"],
          ['cross-origin-resource-policy', 'same-site'],
          ['referrer-policy', 'no-referrer'],
          ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
          ['x-content-type-options', 'nosniff'],
          ['x-frame-options', 'DENY'],
          ['access-control-allow-origin', frontOrigin],
          ['vary', 'Origin'],
          ['access-control-allow-credentials', 'true'],
          ['access-control-expose-headers', 'Authorization,X-Request-Id,X-Total-Count'],
          ['content-type', 'application/json; charset=utf-8'],
          ['content-length', String(Buffer.byteLength(body))],
          ['connection', 'close'],
        ]);
        assert.equal(res.text, method === 'get' ? body : undefined);
      }
    });

    it('When a non-administrator creates a subject, then 400 as in the original (the front end alerts)', async () => {
      const res = await regi(mod, subject);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'ADMIN_ONLY');
    });

    it('When the subject id already exists, then 409 SUBJECT_EXISTS instead of the original 500', async () => {
      assert.equal((await regi(admin, subject)).status, 200);
      const res = await regi(admin, { ...subject, title: 'again' });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'SUBJECT_EXISTS');
    });

    for (const id of ['Free', 'free talk', '../x', '', 'a'.repeat(51), 'free-', '한글']) {
      it(`When the subject id is ${JSON.stringify(id)}, then 400 naming the field id`, async () => {
        const res = await regi(admin, { ...subject, id });
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.error.fields.map((problem: { field: string }) => problem.field), ['id']);
      });
    }

    it('When the admin named is not an existing user, then 400 naming the field admin', async () => {
      const res = await regi(admin, { ...subject, admin: 'nobody1' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.fields, [{ field: 'admin', message: 'no such user' }]);
    });

    it('When the title is missing, then 400 naming the field title', async () => {
      const res = await regi(admin, { ...subject, title: undefined });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'title');
    });

    it('When a description carries script, handlers or javascript: links, then §5.5 they are stripped before storing', async () => {
      const description = '<p onmouseover="steal()">hi</p><script>steal()</script><a href="javascript:steal()">x</a><iframe src="https://evil"></iframe>';
      assert.equal((await regi(admin, { ...subject, description })).status, 200);
      const row = await t.database.db.selectFrom('subject').select('description').where('id', '=', 'free').executeTakeFirstOrThrow();
      assert.equal(row.description, '<p>hi</p><a>x</a>');
    });

    it('When an unknown subject is fetched, then 404 (the original sent 200 null, which crashed the page)', async () => {
      const res = await asFrontEnd(request(t.app).get('/ajax/subject/get?sid=nothing'));
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'SUBJECT_NOT_FOUND');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });

    it('When get has no sid, then 400 naming sid', async () => {
      const res = await request(t.app).get('/ajax/subject/get');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'sid');
    });

    it("When the subject's admin updates it, then title, description (sanitized) and admin change", async () => {
      await regi(admin, subject);
      const res = await update(mod, { id: 'free', title: 'Renamed', description: '<b>bold</b><img src=x onerror=alert(1)>', admin: 'other1' });
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      const got = await request(t.app).get('/ajax/subject/get?sid=free');
      assert.deepEqual(got.body, { id: 'free', title: 'Renamed', description: '<b>bold</b><img src="x" />', admin: 'other1', btotal: 0 });
    });

    it('When an administrator updates any subject, then it is allowed', async () => {
      await regi(admin, subject);
      assert.equal((await update(admin, { ...subject, title: 'By admin' })).status, 200);
    });

    it("When someone else updates a subject, then 400 as in the original", async () => {
      await regi(admin, subject);
      const res = await update(other, { ...subject, title: 'Hijacked' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'NOT_SUBJECT_ADMIN');
    });

    it('When an unknown subject is updated, then 404 (the original answered 500 or silently nothing)', async () => {
      const res = await update(admin, { ...subject, id: 'ghost' });
      assert.equal(res.status, 404);
    });

    it('When an update names an admin who does not exist, then 400 naming admin', async () => {
      await regi(admin, subject);
      const res = await update(mod, { ...subject, admin: 'nobody1' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'admin');
    });

    it('When the admin a subject names no longer exists and an update keeps it, then the update is still allowed', async () => {
      await addSubject(t, 'legacy', 'gone_user');
      const res = await update(admin, { id: 'legacy', title: 'Kept admin', description: '', admin: 'gone_user' });
      assert.equal(res.status, 200);
    });

    it('When an administrator deletes an empty subject, then §5.27 it is really gone', async () => {
      await regi(admin, subject);
      const res = await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=free'), admin);
      assert.equal(res.status, 200);
      assert.equal((await request(t.app).get('/ajax/subject/get?sid=free')).status, 404);
    });

    it('When a subject still has posts (even deleted ones), then delete answers 409 and keeps it', async () => {
      await addSubject(t, 'busy');
      const bno = await writePost(t, mod, { sid: 'busy' });
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).execute();
      const res = await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=busy'), admin);
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'SUBJECT_HAS_POSTS');
      assert.equal((await request(t.app).get('/ajax/subject/get?sid=busy')).status, 200);
    });

    it('When a non-administrator deletes a subject, then 400 and it stays', async () => {
      await regi(admin, subject);
      const res = await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=free'), mod);
      assert.equal(res.status, 400);
      assert.equal((await request(t.app).get('/ajax/subject/get?sid=free')).status, 200);
    });

    it('When an unknown subject is deleted, then 404; without the subject parameter, then 400', async () => {
      assert.equal((await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=ghost'), admin)).status, 404);
      const res = await asFrontEnd(request(t.app).post('/ajax/subject/delete'), admin);
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'subject');
    });

    it('When an anonymous caller uses regi, update or delete, then 401', async () => {
      assert.equal((await regi('', subject)).status, 401);
      assert.equal((await update('', subject)).status, 401);
      assert.equal((await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=free'))).status, 401);
    });
  });
}
