import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { refreshCookieHeader, refreshTokenOf, setCookieLines } from '../../helpers/cookies.ts';

for (const kind of databaseKinds) {
  describe(`The refresh cookie's routes refuse other sites on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'alice1', pw: 'wonderland1!', auth: 2 });
    });
    after(() => t.close());

    async function session(): Promise<string> {
      const res = await request(t.app).post('/ajax/login/').send({ id: 'alice1', pw: 'wonderland1!' });
      return refreshTokenOf(res) ?? assert.fail('no refresh cookie');
    }

    /** A request that carries the cookie, as the browser attaches it to any request for that path. */
    const withCookie = (path: string, token: string) => request(t.app).post(path).set('Cookie', refreshCookieHeader(token));
    const stillValid = async (token: string) => (await withCookie('/ajax/auth/refresh', token).set('Origin', frontOrigin).send('')).status === 200;

    it("When another site's form posts text/plain to logout with the visitor's cookie, then 403 and the session survives", async () => {
      const token = await session();
      const res = await withCookie('/ajax/logout/', token).set('Origin', 'https://evil.example').set('Content-Type', 'text/plain').send('a=b');
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'CROSS_SITE_REQUEST');
      assert.match(String(res.headers.vary), /Origin/);
      assert.deepEqual(setCookieLines(res), [], 'the cookie is not cleared');
      assert.ok(await stillValid(token));
    });

    it('When logout or refresh names no origin at all (no Origin, no Sec-Fetch-Site), then 403 and nothing is spent', async () => {
      const token = await session();
      assert.equal((await withCookie('/ajax/logout/', token).send('')).status, 403);
      assert.equal((await withCookie('/ajax/auth/refresh', token).send('')).status, 403);
      assert.ok(await stillValid(token));
    });

    it('When another site calls refresh with the cookie, then 403 without a new cookie or token, and the refresh token is not rotated', async () => {
      const token = await session();
      const res = await withCookie('/ajax/auth/refresh', token).set('Origin', 'https://evil.example').send('');
      assert.equal(res.status, 403);
      assert.equal(res.headers.authorization, undefined);
      assert.deepEqual(setCookieLines(res), []);
      assert.ok(await stillValid(token), 'the token was not used up');
    });

    it('When the front end calls them (its Origin, or a same-origin Sec-Fetch-Site without Origin), then refresh and logout work', async () => {
      const token = await session();
      const refreshed = await withCookie('/ajax/auth/refresh', token).set('Sec-Fetch-Site', 'same-origin').send('');
      assert.equal(refreshed.status, 200);
      const rotated = refreshTokenOf(refreshed) ?? assert.fail('no rotated cookie');
      const logout = await withCookie('/ajax/logout/', rotated).set('Origin', frontOrigin).set('Content-Type', 'application/json').send('');
      assert.equal(logout.status, 200);
      assert.equal(logout.headers['access-control-allow-origin'], frontOrigin);
      assert.equal(await stillValid(rotated), false, 'logged out');
    });

    it('When a page of another site names itself same-site through Sec-Fetch-Site but sends a foreign Origin, then the Origin decides: 403', async () => {
      const token = await session();
      const res = await withCookie('/ajax/logout/', token).set('Origin', 'https://blog.yongheonn.com').set('Sec-Fetch-Site', 'same-site').send('');
      assert.equal(res.status, 403);
    });
  });
}
