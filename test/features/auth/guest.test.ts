import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { guestSessionLifetimeMs } from '../../../src/features/auth/service.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { cookieFor, refreshCookieHeader, refreshTokenOf } from '../../helpers/cookies.ts';
import { asFrontEnd, writePost } from '../../helpers/forum.ts';
import { assertLimitedAfter } from '../../helpers/rate-limit.ts';

for (const kind of databaseKinds) {
  describe(`Guest login on ${kind}`, () => {
    let t: TestApp;
    let address = 0;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    /** A guest login from an address of its own (they are limited per address). */
    const guestLogin = () => request(t.app).get('/ajax/login/guest').set('Origin', frontOrigin).set('X-Forwarded-For', `198.18.0.${(address += 1)}`);

    it('When two visitors log in as guests, then each is a distinct account of its own: own id and nick, auth 0 (ROLE_GUEST), no address, never admin', async () => {
      const [a, b] = [await guestLogin(), await guestLogin()];
      for (const res of [a, b]) {
        assert.equal(res.status, 200);
        assert.match(res.body.id, /^guest_[a-z0-9]{12}$/);
        assert.deepEqual(res.body, { id: res.body.id, nick: res.body.id, email: null, auth: 0 });
        assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: res.body.id, role: 'ROLE_GUEST' } });
      }
      assert.notEqual(a.body.id, b.body.id);
    });

    it("When a guest's session is set, then its refresh cookie lasts 24 hours (each refresh extends it), not the 90 days of an account", async () => {
      const res = await guestLogin();
      const maxAge = Number(cookieFor(res, 'refreshToken', '/ajax/auth/refresh')?.attributes['max-age']);
      assert.ok(Math.abs(maxAge - guestSessionLifetimeMs / 1000) <= 2, `Max-Age ${maxAge}`);
      const refreshed = await request(t.app).post('/ajax/auth/refresh').set('Origin', frontOrigin).set('Cookie', refreshCookieHeader(refreshTokenOf(res)!));
      assert.equal(refreshed.status, 200);
      assert.deepEqual(await t.accessTokens.verify(refreshed.headers.authorization ?? ''), { kind: 'valid', user: { id: res.body.id, role: 'ROLE_GUEST' } }, 'the same guest after a refresh');
    });

    it('When a guest writes a post, then that guest edits and deletes it; another guest can neither, nor read its secret post without the code', async () => {
      await t.database.db.insertInto('subject').values({ id: 'guests', title: 'g', description: '', admin: 'nobody' }).execute();
      const [a, b] = [(await guestLogin()).headers.authorization!, (await guestLogin()).headers.authorization!];
      const bno = await writePost(t, a, { sid: 'guests', pw: 'Ab12Cd' });
      const edit = (token: string) => asFrontEnd(request(t.app).post('/ajax/board/update'), token).send({ bno: String(bno), title: 'edited', content: '<p>x</p>', pw: 'Ab12Cd' });
      const read = (token: string) => asFrontEnd(request(t.app).get(`/ajax/board/read?bno=${bno}`), token);
      assert.equal((await edit(b)).status, 401);
      assert.equal((await read(b)).status, 428);
      const withCode = await asFrontEnd(request(t.app).get(`/ajax/board/read-secret?bno=${bno}&pw=Ab12Cd`), b);
      assert.deepEqual([withCode.status, withCode.body.user_id, withCode.body.pw], [200, null, 'pw'], 'B opens it with the code, and is not told the code');
      assert.equal((await asFrontEnd(request(t.app).post('/ajax/board/delete'), b).send(JSON.stringify(String(bno)))).status, 400);
      assert.deepEqual([(await read(a)).body.user_id, (await read(a)).body.pw], ['id', 'Ab12Cd']);
      assert.equal((await edit(a)).status, 200);
      assert.equal((await asFrontEnd(request(t.app).post('/ajax/board/delete'), a).send(JSON.stringify(String(bno)))).status, 200);
    });

    it('When a guest recommends or changes its nick, then 401 and 400 as for the shared guest before', async () => {
      const token = (await guestLogin()).headers.authorization!;
      assert.equal((await asFrontEnd(request(t.app).post('/ajax/board/recommend'), token).send('1')).body.error.code, 'GUEST_CANNOT_RECOMMEND');
      const nick = await asFrontEnd(request(t.app).post('/ajax/account/update'), token).send({ id: '', nick: 'newguest', email: '', auth: -1 });
      assert.equal(nick.status, 400);
      assert.equal(nick.body.error.code, 'GUEST_ACCOUNT_READ_ONLY');
    });

    it('When one address logs in as a guest more than 10 times within an hour, then 429: guest accounts cannot be minted in bulk', async () => {
      await assertLimitedAfter(10, () => request(t.app).get('/ajax/login/guest').set('X-Forwarded-For', '198.18.1.1'));
    });

    it('When guests have logged out, or their sessions lapsed, and wrote nothing, then the next sweep deletes them; a guest that wrote keeps its account', async () => {
      const [idle, writer] = [await guestLogin(), await guestLogin()];
      await writePost(t, writer.headers.authorization!, { sid: 'guests' });
      await asFrontEnd(request(t.app).post('/ajax/logout/'), '').set('Cookie', refreshCookieHeader(refreshTokenOf(idle)!)).send('');
      await sql`update "user" set created_at = now() - interval '2 minutes' where id in (${idle.body.id}, ${writer.body.id})`.execute(t.database.db);
      await sql`update refresh_token set expires_at = now() - interval '1 second' where user_id = ${writer.body.id}`.execute(t.database.db);
      const { accountService } = await import('../../../src/features/accounts/service.ts');
      const { accountRepository } = await import('../../../src/features/accounts/repository.ts');
      await accountService(accountRepository(t.database.db)).removeAbandonedGuests();
      const left = await t.database.db.selectFrom('user').select('id').where('id', 'in', [idle.body.id, writer.body.id]).execute();
      assert.deepEqual(left.map((row) => row.id), [writer.body.id]);
    });

    it('When the migrations have run, then the formerly shared "guest" account is a guest nobody signs in as: no session, no password, no address', async () => {
      const shared = await t.database.db.selectFrom('user').selectAll().where('id', '=', 'guest').executeTakeFirstOrThrow();
      assert.deepEqual([shared.auth, shared.pw, shared.email], [0, null, null]);
      assert.equal((await request(t.app).post('/ajax/login/').send({ id: 'guest', pw: 'password1!' })).status, 401);
      await assert.rejects(sql`update "user" set email = 'a@b.c' where auth = 0`.execute(t.database.db), /user_guest_has_no_credentials/);
      await assert.rejects(sql`update "user" set auth = 3 where id = 'guest'`.execute(t.database.db), /user_guest_is_ordinary/);
    });
  });
}

describe('Guest login switched off', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite', { env: { GUEST_LOGIN: 'false' } });
  });
  after(() => t.close());

  it('When GUEST_LOGIN=false, then guest login answers 404 with CORS headers and no token', async () => {
    const res = await request(t.app).get('/ajax/login/guest').set('Origin', frontOrigin);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'GUEST_LOGIN_DISABLED');
    assert.equal(res.headers.authorization, undefined);
    assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
  });
});
