import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { cookieFor, refreshTokenOf } from '../../helpers/cookies.ts';
import { assertLimitedAfter } from '../../helpers/rate-limit.ts';

for (const kind of databaseKinds) {
  describe(`Login on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'alice1', pw: 'wonderland1!', nick: 'alice', email: 'alice@example.com', auth: 2 });
      await storeUser(t.database.db, { id: 'boss01', pw: 'bosspass12', nick: 'the_boss', email: 'boss@example.com', auth: 3 });
    });
    after(() => t.close());

    const login = (body: unknown) =>
      request(t.app).post('/ajax/login/').set('Origin', frontOrigin).set('Authorization', '').send(body as object);

    it('When the id and password are right, then 200 with the user JSON, a raw access token and the refresh cookie', async () => {
      const res = await login({ id: 'alice1', pw: 'wonderland1!' });
      assert.equal(res.status, 200);
      assert.equal(res.text, JSON.stringify({ id: 'alice1', nick: 'alice', email: 'alice@example.com', auth: 2 }));
      const verified = await t.accessTokens.verify(res.headers.authorization ?? '');
      assert.deepEqual(verified, { kind: 'valid', user: { id: 'alice1', role: 'ROLE_USER_CERT' } });
      assert.ok(refreshTokenOf(res));
      assert.equal(res.headers['access-control-expose-headers']?.includes('Authorization'), true);
    });

    it('When the refresh cookie is set, then it is HttpOnly, Secure, SameSite=None, scoped to /ajax/auth/refresh, without Domain when COOKIE_DOMAIN is unset', async () => {
      const res = await login({ id: 'alice1', pw: 'wonderland1!' });
      const cookie = cookieFor(res, 'refreshToken', '/ajax/auth/refresh');
      assert.ok(cookie);
      assert.equal(cookie.attributes.httponly, true);
      assert.equal(cookie.attributes.secure, true);
      assert.equal(cookie.attributes.samesite, 'None');
      assert.equal(cookie.attributes.domain, undefined);
      assert.ok(Number(cookie.attributes['max-age']) > 80 * 24 * 3600);
    });

    it('When an admin logs in, then the token carries the role stored in the database', async () => {
      const res = await login({ id: 'boss01', pw: 'bosspass12' });
      assert.equal(res.status, 200);
      assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: 'boss01', role: 'ROLE_ADMIN' } });
    });

    it('When the password is wrong, then 401 (as the original) with no token and no cookie', async () => {
      const res = await login({ id: 'alice1', pw: 'wonderland2!' });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'WRONG_CREDENTIALS');
      assert.equal(res.headers.authorization, undefined);
      assert.equal(res.headers['set-cookie'], undefined);
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });

    it('When the id is unknown or could never have been registered, then 401 as for a wrong password', async () => {
      assert.equal((await login({ id: 'nobody1', pw: 'wonderland1!' })).status, 401);
      assert.equal((await login({ id: 'ALICE1', pw: 'wonderland1!' })).status, 401);
      assert.equal((await login({ id: 'alice1', pw: 'short' })).status, 401);
    });

    it('When the password differs only in case, then 401 (the original compared in SQL, probably case-insensitively)', async () => {
      assert.equal((await login({ id: 'alice1', pw: 'WONDERLAND1!' })).status, 401);
    });

    it('§5.20 login without id is 400 not 500', async () => {
      const res = await login({ pw: 'wonderland1!' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.error.fields.map((field: { field: string }) => field.field), ['id']);
    });

    it('When pw is missing or not a string, then 400 naming pw', async () => {
      for (const body of [{ id: 'alice1' }, { id: 'alice1', pw: 12345678 }]) {
        const res = await login(body);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.error.fields.map((field: { field: string }) => field.field), ['pw']);
      }
    });

    it('When the body is empty, then 400, not 500', async () => {
      const res = await request(t.app).post('/ajax/login/').set('Content-Type', 'application/json').send('');
      assert.equal(res.status, 400);
    });
  });
}

describe('Login rate limit', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  it('When one address keeps guessing passwords, then it gets 429 with Retry-After and CORS headers after 20 in 5 minutes', async () => {
    await assertLimitedAfter(20, () => request(t.app).post('/ajax/login/').send({ id: 'alice1', pw: 'x' }));
  });
});
