import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { forgedTokens } from '../helpers/tokens.ts';

function assertCorsFor(res: request.Response, origin = frontOrigin) {
  assert.equal(res.headers['access-control-allow-origin'], origin, `ACAO on ${res.status}`);
  assert.equal(res.headers['access-control-allow-credentials'], 'true');
  assert.match(res.headers.vary ?? '', /Origin/);
  assert.match(res.headers['access-control-expose-headers'] ?? '', /Authorization/);
  assert.match(res.headers['access-control-expose-headers'] ?? '', /X-Request-Id/);
}

describe('CORS', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  it('When the front end preflights an authenticated POST, then it gets 204 with origin, credentials, Vary and max-age 7200', async () => {
    const res = await request(t.app)
      .options('/ajax/account/')
      .set('Origin', frontOrigin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,accept');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['access-control-max-age'], '7200');
    assert.match(res.headers.vary ?? '', /Origin/);
    assert.match(res.headers['access-control-allow-headers'] ?? '', /Authorization/);
    for (const method of ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']) {
      assert.match(res.headers['access-control-allow-methods'] ?? '', new RegExp(method));
    }
  });

  it('When a disallowed origin preflights, then it gets no Access-Control-Allow-Origin (and no error)', async () => {
    const res = await request(t.app)
      .options('/ajax/subject/all')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.match(res.headers.vary ?? '', /Origin/);
  });

  it('When a disallowed origin sends a real request, then it is answered without CORS headers', async () => {
    const res = await request(t.app).get('/ajax/subject/all').set('Origin', 'https://evil.example');
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('When no Origin is sent, then the response still says Vary: Origin', async () => {
    for (const path of ['/ajax/subject/all', '/no/such/route']) {
      const res = await request(t.app).get(path);
      assert.match(res.headers.vary ?? '', /Origin/, path);
    }
  });

  it('When the front end calls a public route, then the response carries the CORS headers and exposes Authorization', async () => {
    assertCorsFor(await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin));
  });

  it('When an OPTIONS request has no preflight headers, then CORS answers it and auth never sees it', async () => {
    const res = await request(t.app).options('/ajax/account/');
    assert.equal(res.status, 204);
  });

  describe('on every error response', () => {
    it('When a protected route is called without a token, then the 401 carries CORS headers', async () => {
      const res = await request(t.app).post('/ajax/account/').set('Origin', frontOrigin).set('Authorization', '');
      assert.equal(res.status, 401);
      assertCorsFor(res);
    });

    it('When the token has expired, then the 303 carries CORS headers', async () => {
      const res = await request(t.app).post('/ajax/account/').set('Origin', frontOrigin).set('Authorization', await forgedTokens.expired());
      assert.equal(res.status, 303);
      assertCorsFor(res);
    });

    it('When the route does not exist, then the 404 carries CORS headers', async () => {
      const res = await request(t.app).get('/no/such/route').set('Origin', frontOrigin);
      assert.equal(res.status, 404);
      assertCorsFor(res);
    });

    it('When the JSON body is malformed, then the 400 carries CORS headers', async () => {
      const res = await request(t.app).post('/ajax/login/').set('Origin', frontOrigin).set('Content-Type', 'application/json').send('{"id":');
      assert.equal(res.status, 400);
      assertCorsFor(res);
    });

    it('When the body is too large, then the 413 carries CORS headers', async () => {
      const res = await request(t.app)
        .post('/ajax/login/')
        .set('Origin', frontOrigin)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ content: 'x'.repeat(600 * 1024) }));
      assert.equal(res.status, 413);
      assertCorsFor(res);
    });
  });
});
