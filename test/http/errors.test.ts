import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';

for (const kind of databaseKinds) {
  describe(`Error responses on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    it('When a route does not exist outside /ajax, then the answer is 404 JSON {error:{code,message,requestId}}', async () => {
      const res = await request(t.app).get('/nothing/here').set('X-Request-Id', 'req-404');
      assert.equal(res.status, 404);
      assert.match(res.headers['content-type'] ?? '', /application\/json/);
      assert.deepEqual(res.body, { error: { code: 'NOT_FOUND', message: 'no such route', requestId: 'req-404' } });
    });

    it('When the JSON body is malformed, then the answer is 400 MALFORMED_JSON, not 500', async () => {
      const res = await request(t.app).post('/ajax/login/').set('Content-Type', 'application/json').send('{"a":1,,}');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'MALFORMED_JSON');
    });

    it('When an anonymous caller sends a body to a protected route, then the guard answers 401 before the body is read', async () => {
      const res = await request(t.app).post('/ajax/board/create').set('Content-Type', 'application/json').send('{"a":1,,}');
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    });

    it('When a query fails unexpectedly, then the answer is 500 JSON with CORS headers and no stack trace or SQL', async () => {
      await sql`drop table subject cascade`.execute(t.database.db);
      const res = await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin).set('X-Request-Id', 'req-500');
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { error: { code: 'INTERNAL', message: 'unexpected error', requestId: 'req-500' } });
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.doesNotMatch(res.text, /select|subject|at .*\.ts/i);
    });
  });
}
