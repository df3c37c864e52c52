import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import type { Subject } from '../../../src/features/subjects/schemas.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { addSubject, addUser, asFrontEnd } from '../../helpers/forum.ts';

const ids = (res: request.Response) => (JSON.parse(res.text) as Subject[]).map((subject) => subject.id);

for (const kind of databaseKinds) {
  describe(`The cached subjects list on ${kind}`, () => {
    let t: TestApp;
    let admin: string;
    before(async () => {
      // Longer than any test: only writes through the API can refresh the list here.
      t = await startTestApp(kind, { env: { SUBJECT_LIST_CACHE_MS: '600000' } });
      admin = await addUser(t, 'admin', 3);
    });
    after(() => t.close());
    beforeEach(async () => {
      await t.database.db.deleteFrom('subject').execute();
      await addSubject(t, 'free');
      // A write through the API empties the cache, so every test starts from what the table holds.
      await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=nothing'), admin);
    });

    const list = (etag?: string) => {
      const test = asFrontEnd(request(t.app).get('/ajax/subject/all'));
      return etag === undefined ? test : test.set('If-None-Match', etag);
    };

    it('When the list is asked for twice, then both answers carry the same ETag and Cache-Control: no-cache', async () => {
      const first = await list();
      const second = await list();
      assert.equal(first.status, 200);
      assert.match(first.headers.etag ?? '', /^"[\w-]+"$/);
      assert.equal(second.headers.etag, first.headers.etag);
      assert.equal(first.headers['cache-control'], 'no-cache');
      assert.deepEqual(ids(second), ['free']);
    });

    it('When the browser revalidates with the ETag it holds, then 304 without a body, with CORS headers and a request id', async () => {
      const { headers } = await list();
      const res = await list(headers.etag).set('X-Request-Id', 'revalidate-1');
      assert.equal(res.status, 304);
      assert.equal(res.text, '');
      assert.equal(res.headers.etag, headers.etag);
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.equal(res.headers['x-request-id'], 'revalidate-1');
    });

    it('When the ETag sent is not the current one, then the full list comes back with 200', async () => {
      const res = await list('"stale-tag"');
      assert.equal(res.status, 200);
      assert.deepEqual(ids(res), ['free']);
    });

    it('When the table changes behind the app, then the cached list is still what is served', async () => {
      const before = await list();
      await addSubject(t, 'dev');
      const after = await list(before.headers.etag);
      assert.equal(after.status, 304);
    });

    it('When an administrator registers a subject, then the next list shows it under a new ETag', async () => {
      const before = await list();
      const regi = await asFrontEnd(request(t.app).post('/ajax/subject/regi'), admin).send({ id: 'dev', title: 'Dev', description: '', admin: 'admin' });
      assert.equal(regi.status, 200);
      const after = await list(before.headers.etag);
      assert.equal(after.status, 200);
      assert.notEqual(after.headers.etag, before.headers.etag);
      assert.deepEqual(ids(after), ['dev', 'free']);
    });

    it('When a subject is updated, then the next list shows the change under a new ETag', async () => {
      const before = await list();
      const update = await asFrontEnd(request(t.app).post('/ajax/subject/update'), admin).send({ id: 'free', title: 'Renamed', description: '', admin: 'admin' });
      assert.equal(update.status, 200);
      const after = await list(before.headers.etag);
      assert.equal(after.status, 200);
      assert.equal((JSON.parse(after.text) as Subject[])[0]?.title, 'Renamed');
    });

    it('When a subject is deleted, then the next list no longer has it', async () => {
      const before = await list();
      const deleted = await asFrontEnd(request(t.app).post('/ajax/subject/delete?subject=free'), admin);
      assert.equal(deleted.status, 200);
      const after = await list(before.headers.etag);
      assert.equal(after.status, 200);
      assert.deepEqual(ids(after), []);
    });

    it('When a write is refused, then the list is still right afterwards', async () => {
      await list();
      await addSubject(t, 'dev');
      const duplicate = await asFrontEnd(request(t.app).post('/ajax/subject/regi'), admin).send({ id: 'free', title: 'again', description: '', admin: 'admin' });
      assert.equal(duplicate.status, 409);
      assert.deepEqual(ids(await list()), ['dev', 'free']);
    });
  });

  describe(`Subjects written through another instance, on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind, { env: { SUBJECT_LIST_CACHE_MS: '200' } });
    });
    after(() => t.close());

    it('When another instance adds a subject, then this one lists it once SUBJECT_LIST_CACHE_MS has passed', async () => {
      await request(t.app).get('/ajax/subject/all');
      await addSubject(t, 'elsewhere');
      const deadline = Date.now() + 5000;
      let listed: string[] = [];
      while (Date.now() < deadline && !listed.includes('elsewhere')) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        listed = ids(await request(t.app).get('/ajax/subject/all'));
      }
      assert.ok(listed.includes('elsewhere'), `still listed: ${listed.join(', ')}`);
    });
  });
}
