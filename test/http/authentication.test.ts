import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { listen, rawRequest } from '../helpers/raw-http.ts';
import { forgedTokens } from '../helpers/tokens.ts';

describe('Authentication', () => {
  let t: TestApp;
  let validToken: string;
  before(async () => {
    t = await startTestApp('pglite');
    await t.database.db.insertInto('user').values({ id: 'alice1', nick: 'alice', email: 'alice@example.com', auth: 2 }).execute();
    validToken = await t.accessTokens.issue({ id: 'alice1', role: 'ROLE_USER_CERT' });
  });
  after(() => t.close());

  const account = () => request(t.app).post('/ajax/account/').set('Origin', frontOrigin);

  it('When a protected route is called with no Authorization header, then 401 JSON with WWW-Authenticate: Bearer', async () => {
    const res = await account();
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.equal(res.body.error.code, 'UNAUTHENTICATED');
  });

  it("When the front end sends Authorization: '' (no token stored), then it is anonymous: 401 on a protected route", async () => {
    const res = await account().set('Authorization', '');
    assert.equal(res.status, 401);
  });

  for (const [name, forge] of Object.entries({
    'a forged signature': forgedTokens.wrongSecret,
    'alg: none': forgedTokens.algNone,
    'another algorithm (HS512)': forgedTokens.otherAlgorithm,
    'garbage': forgedTokens.garbage,
  })) {
    it(`When the token has ${name}, then 401 with CORS headers`, async () => {
      const res = await account().set('Authorization', await forge());
      assert.equal(res.status, 401);
      assert.match(res.headers['www-authenticate'] ?? '', /invalid_token/);
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });
  }

  it('When the token has expired, then 303 with no body, no Location and CORS headers', async () => {
    const res = await account().set('Authorization', await forgedTokens.expired());
    assert.equal(res.status, 303);
    assert.equal(res.text, '');
    assert.equal(res.headers.location, undefined);
    assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
  });

  it('When the token has expired on a public route, then 303 too (the front end refreshes and retries)', async () => {
    const res = await request(t.app).get('/ajax/subject/all').set('Authorization', await forgedTokens.expired());
    assert.equal(res.status, 303);
  });

  it('When the token has expired on an unknown /ajax route, then 303', async () => {
    const res = await request(t.app).get('/ajax/nothing').set('Authorization', await forgedTokens.expired());
    assert.equal(res.status, 303);
  });

  it('When a garbage token is sent to a public route, then the caller is anonymous and served', async () => {
    const res = await request(t.app).get('/ajax/subject/all').set('Authorization', 'garbage');
    assert.equal(res.status, 200);
  });

  it('When a valid raw token is sent (as the original front end does), then the protected route answers', async () => {
    const res = await account().set('Authorization', validToken);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 'alice1', nick: 'alice', email: 'alice@example.com', auth: 2 });
  });

  it('When a valid Bearer token is sent, then the protected route answers', async () => {
    const res = await account().set('Authorization', `Bearer ${validToken}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'alice1');
  });

  it('When an unknown /ajax route is called anonymously, then 401 (default deny); with a valid token, then 404', async () => {
    assert.equal((await request(t.app).get('/ajax/nothing')).status, 401);
    assert.equal((await request(t.app).get('/ajax/nothing').set('Authorization', validToken)).status, 404);
  });

  describe('path normalisation cannot open a protected route', () => {
    let server: Awaited<ReturnType<typeof listen>>;
    before(async () => {
      server = await listen(t.app);
    });
    after(() => server.close());

    const variants: Array<[string, string]> = [
      ['POST', '/ajax/account/'],
      ['POST', '/ajax/account'],
      ['POST', '/AJAX/ACCOUNT/'],
      ['POST', '/Ajax/Account/'],
      ['POST', '/ajax//account/'],
      ['POST', '//ajax/account/'],
      ['POST', '/ajax/account//'],
      ['POST', '/ajax/%61ccount/'],
      ['POST', '/ajax%2Faccount/'],
      ['POST', '/ajax/account%2F'],
      ['POST', '/%61jax/account/'],
      ['POST', '/ajax/account;jsessionid=abc'],
      ['POST', '/ajax/account/;jsessionid=abc'],
      ['POST', '/ajax/account/.'],
      ['POST', '/ajax/account./'],
      ['POST', '/ajax/./account/'],
      ['POST', '/ajax/health/../account/'],
      ['POST', '/ajax/health/%2e%2e/account/'],
      ['POST', '/ajax/subject/all/../../account/'],
      ['POST', '/ajax/subject/all/..%2F..%2Faccount/'],
      ['POST', '/ajax/account/?x=/ajax/health/'],
      ['POST', '/ajax/account/%20'],
      ['POST', '/ajax/account/%00'],
      ['POST', '/ajax\\account/'],
      ['GET', '/ajax/account/'],
      ['HEAD', '/ajax/account/'],
      ['PUT', '/ajax/account/'],
    ];

    for (const [method, path] of variants) {
      it(`When ${method} ${path} is sent with no token, then the account handler is not reached`, async () => {
        const res = await rawRequest(server.port, method, path);
        assert.ok([400, 401, 404].includes(res.status), `${method} ${path} → ${res.status} ${res.body}`);
        assert.doesNotMatch(res.body, /alice/);
      });
    }

    it('When the ALB-style override headers point at a public path, then they are ignored', async () => {
      for (const header of ['X-Original-URL', 'X-Rewrite-URL', 'X-Forwarded-Prefix', 'X-Forwarded-Uri']) {
        const res = await rawRequest(server.port, 'POST', '/ajax/account/', { [header]: '/ajax/health/' });
        assert.equal(res.status, 401, header);
      }
    });
  });
});
