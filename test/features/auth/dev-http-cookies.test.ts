import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, startTestApp } from '../../helpers/app.ts';
import { CookieJar } from '../../helpers/cookie-jar.ts';
import { cookieFor, setCookieLines } from '../../helpers/cookies.ts';

// A developer's front end on a LAN address over plain http, calling the API on the same host (CRA's dev server).
const frontEnd = 'http://192.168.0.19:3000';
const api = 'http://192.168.0.19:8080';

for (const kind of databaseKinds) {
  describe(`The refresh cookie over plain http in development on ${kind}`, () => {
    /** Login, then a refresh with whatever cookie a browser on `api` (http) kept: the status of the refresh. */
    async function sessionOverHttp(env: Record<string, string>) {
      const t = await startTestApp(kind, { env: { CORS_ORIGINS: frontEnd, ...env } });
      try {
        await storeUser(t.database.db, { id: 'alice1', pw: 'wonderland1!', auth: 2 });
        const login = await request(t.app).post('/ajax/login/').set('Origin', frontEnd).send({ id: 'alice1', pw: 'wonderland1!' });
        const jar = new CookieJar();
        jar.store(setCookieLines(login), new URL('/ajax/login/', api));
        const cookie = jar.header(new URL('/ajax/auth/refresh', api));
        const refresh = request(t.app).post('/ajax/auth/refresh').set('Origin', frontEnd);
        const res = await (cookie ? refresh.set('Cookie', cookie) : refresh).send('');
        return { login, refreshStatus: res.status };
      } finally {
        await t.close();
      }
    }

    it('When DEV_HTTP_COOKIES=true, then the cookie has no Secure and SameSite=Lax, the browser keeps it over http, and refresh works', async () => {
      const { login, refreshStatus } = await sessionOverHttp({ DEV_HTTP_COOKIES: 'true' });
      const cookie = cookieFor(login, 'refreshToken', '/ajax/auth/refresh');
      assert.equal(cookie?.attributes.secure, undefined);
      assert.equal(cookie?.attributes.samesite, 'Lax');
      assert.equal(cookie?.attributes.httponly, true);
      assert.equal(refreshStatus, 200);
    });

    it('When it is not set, then the cookie stays Secure: a browser on plain http drops it and the session cannot be refreshed', async () => {
      const { login, refreshStatus } = await sessionOverHttp({});
      assert.equal(cookieFor(login, 'refreshToken', '/ajax/auth/refresh')?.attributes.secure, true);
      assert.equal(refreshStatus, 401);
    });
  });
}
