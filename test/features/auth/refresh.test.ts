import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { cookieFor, refreshCookieHeader, refreshTokenOf } from '../../helpers/cookies.ts';
import { forgedTokens } from '../../helpers/tokens.ts';

for (const kind of databaseKinds) {
  describe(`Refresh and logout on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'alice1', pw: 'wonderland1!', auth: 2 });
      await storeUser(t.database.db, { id: 'boss01', pw: 'bosspass12', auth: 3 });
    });
    after(() => t.close());

    async function login(id = 'alice1', pw = 'wonderland1!') {
      const res = await request(t.app).post('/ajax/login/').send({ id, pw });
      assert.equal(res.status, 200);
      return { accessToken: res.headers.authorization ?? '', refreshToken: refreshTokenOf(res) ?? assert.fail('no refresh cookie') };
    }

    const refresh = (refreshToken?: string, accessToken = '') => {
      const call = request(t.app).post('/ajax/auth/refresh').set('Origin', frontOrigin).set('Authorization', accessToken).set('Content-Type', 'application/json');
      return refreshToken === undefined ? call.send('') : call.set('Cookie', refreshCookieHeader(refreshToken)).send('');
    };

    const account = (accessToken: string) => request(t.app).post('/ajax/account/').set('Authorization', accessToken);

    // A rotated token counts as reused once the grace window for concurrent refreshes has passed.
    const ageRotations = () => sql`update refresh_token set rotated_at = rotated_at - interval '1 minute' where rotated_at is not null`.execute(t.database.db);

    it('When the refresh cookie is valid, then 200 with a new access token for its user and a new refresh cookie', async () => {
      const session = await login();
      const res = await refresh(session.refreshToken, await forgedTokens.expired('alice1'));
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: 'alice1', role: 'ROLE_USER_CERT' } });
      const next = refreshTokenOf(res);
      assert.ok(next && next !== session.refreshToken);
      assert.equal((await account(res.headers.authorization ?? '')).status, 200);
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });

    it('refresh token is rotated and a reused one revokes its family', async () => {
      const session = await login();
      const first = await refresh(session.refreshToken);
      const rotated = refreshTokenOf(first) ?? assert.fail('not rotated');
      const second = await refresh(rotated);
      assert.equal(second.status, 200);
      const newest = refreshTokenOf(second) ?? assert.fail('not rotated again');
      await ageRotations();

      const reuse = await refresh(session.refreshToken);
      assert.equal(reuse.status, 401);
      assert.equal(reuse.body.error.code, 'REFRESH_TOKEN_INVALID');
      assert.equal(cookieFor(reuse, 'refreshToken', '/ajax/auth/refresh')?.value, '');
      assert.equal((await refresh(newest)).status, 401, 'the newest token of the family is revoked too');
    });

    it('When the front end refreshes twice at once with the same cookie, then both get an access token and only one new cookie is set', async () => {
      const session = await login();
      const [a, b] = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
      assert.deepEqual([a.status, b.status], [200, 200]);
      const cookies = [refreshTokenOf(a), refreshTokenOf(b)].filter(Boolean);
      assert.equal(cookies.length, 1);
      for (const res of [a, b]) assert.equal((await t.accessTokens.verify(res.headers.authorization ?? '')).kind, 'valid');
      assert.equal((await refresh(cookies[0])).status, 200, 'the family is still alive');
    });

    it('§5.6 refresh ignores the presented access token\'s claims', async () => {
      const session = await login();
      const adminToken = await t.accessTokens.issue({ id: 'boss01', role: 'ROLE_ADMIN' });
      const res = await refresh(session.refreshToken, adminToken);
      assert.equal(res.status, 200);
      assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: 'alice1', role: 'ROLE_USER_CERT' } });
    });

    it('When the role changed in the database since login, then the refreshed token carries the new role', async () => {
      const session = await login();
      await t.database.db.updateTable('user').set({ auth: 1 }).where('id', '=', 'alice1').execute();
      const res = await refresh(session.refreshToken);
      await t.database.db.updateTable('user').set({ auth: 2 }).where('id', '=', 'alice1').execute();
      assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: 'alice1', role: 'ROLE_USER_NONCERT' } });
    });

    it('§5.16 refresh never answers 303', async () => {
      const expired = await forgedTokens.expired('alice1');
      const noCookie = await refresh(undefined, expired);
      assert.equal(noCookie.status, 401);
      assert.equal(cookieFor(noCookie, 'refreshToken', '/ajax/auth/refresh')?.value, '', 'the cookie is cleared');
      assert.equal(noCookie.headers['access-control-allow-origin'], frontOrigin);
      assert.equal((await refresh('not-a-token', expired)).status, 401);
    });

    it('When the refresh token has expired, then 401 and the cookie is cleared', async () => {
      const session = await login();
      await sql`update refresh_token set expires_at = now() - interval '1 second'`.execute(t.database.db);
      const res = await refresh(session.refreshToken);
      assert.equal(res.status, 401);
      assert.equal(cookieFor(res, 'refreshToken', '/ajax/auth/refresh')?.value, '');
    });

    it('When the refresh request comes from another address, then it still works (no IP binding)', async () => {
      const session = await login();
      const res = await refresh(session.refreshToken).set('X-Forwarded-For', '203.0.113.9');
      assert.equal(res.status, 200);
    });

    it('§5.8 logout revokes the refresh token', async () => {
      const session = await login();
      const res = await request(t.app)
        .post('/ajax/logout/')
        .set('Origin', frontOrigin)
        .set('Authorization', '')
        .set('Content-Type', 'application/json')
        .set('Cookie', refreshCookieHeader(session.refreshToken))
        .send('');
      assert.equal(res.status, 200);
      assert.equal(cookieFor(res, 'refreshToken', '/ajax/auth/refresh')?.value, '');
      assert.equal(cookieFor(res, 'refreshToken', '/ajax/logout')?.value, '');
      assert.equal((await refresh(session.refreshToken)).status, 401);
    });

    it('When logout is called without a cookie, then 200 as in the original', async () => {
      const res = await request(t.app).post('/ajax/logout/').set('Origin', frontOrigin).set('Content-Type', 'application/json').send('');
      assert.equal(res.status, 200);
    });

    it('When a session starts, then the browser also keeps the refresh cookie for /ajax/logout (so logout can revoke it)', async () => {
      const res = await request(t.app).post('/ajax/login/').send({ id: 'alice1', pw: 'wonderland1!' });
      const forLogout = cookieFor(res, 'refreshToken', '/ajax/logout');
      assert.equal(forLogout?.value, refreshTokenOf(res));
      assert.equal(forLogout?.attributes.httponly, true);
    });

    it('When refresh tokens are stored, then only their SHA-256 digests are', async () => {
      const session = await login();
      const rows = await t.database.db.selectFrom('refresh_token').select('id').execute();
      assert.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.id)));
      assert.ok(!rows.some((row) => row.id === session.refreshToken));
    });

    it('When a session starts, then no refresh-token row of an older, expired session of that user remains', async () => {
      await login();
      await sql`update refresh_token set expires_at = now() - interval '1 day' where user_id = 'alice1'`.execute(t.database.db);
      await login();
      const left = await t.database.db.selectFrom('refresh_token').select('id').where('user_id', '=', 'alice1').execute();
      assert.equal(left.length, 1);
    });
  });
}

describe('Cookie domain', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite', { env: { COOKIE_DOMAIN: 'yongheonn.com' } });
  });
  after(() => t.close());

  it('When COOKIE_DOMAIN is set, then the refresh cookie carries it, and clearing it does too', async () => {
    const res = await request(t.app).get('/ajax/login/guest');
    assert.equal(cookieFor(res, 'refreshToken', '/ajax/auth/refresh')?.attributes.domain, 'yongheonn.com');
    const cleared = await request(t.app).post('/ajax/logout/').set('Origin', frontOrigin);
    assert.equal(cookieFor(cleared, 'refreshToken', '/ajax/auth/refresh')?.attributes.domain, 'yongheonn.com');
  });
});
