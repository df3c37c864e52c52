import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { refreshTokenOf } from '../../helpers/cookies.ts';

for (const kind of databaseKinds) {
  describe(`Guest login on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    it('When the migrations have run, then the guest account exists: verified, without a password', async () => {
      const guest = await t.database.db.selectFrom('user').selectAll().where('id', '=', 'guest').executeTakeFirstOrThrow();
      assert.equal(guest.auth, 2);
      assert.equal(guest.pw, null);
    });

    it('§5.2 guest login never grants admin', async () => {
      const res = await request(t.app).get('/ajax/login/guest').set('Origin', frontOrigin).set('Authorization', '');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { id: 'guest', nick: 'guest', email: 'guest@guest.guest', auth: 2 });
      const verified = await t.accessTokens.verify(res.headers.authorization ?? '');
      assert.deepEqual(verified, { kind: 'valid', user: { id: 'guest', role: 'ROLE_USER_CERT' } });
      assert.ok(refreshTokenOf(res));
    });

    it('When someone tries to make the guest an admin or give it a password, then the database refuses', async () => {
      await assert.rejects(sql`update "user" set auth = 3 where id = 'guest'`.execute(t.database.db), /user_guest_is_ordinary/);
      await assert.rejects(sql`update "user" set pw = 'x' where id = 'guest'`.execute(t.database.db), /user_guest_is_ordinary/);
    });

    it('When someone logs in as "guest" with a password, then 401: the guest has none', async () => {
      const res = await request(t.app).post('/ajax/login/').send({ id: 'guest', pw: 'password1!' });
      assert.equal(res.status, 401);
    });

    it('When the guest changes its nick, then 400 as in the original', async () => {
      const login = await request(t.app).get('/ajax/login/guest');
      const res = await request(t.app)
        .post('/ajax/account/update')
        .set('Authorization', login.headers.authorization ?? '')
        .send({ id: '', nick: 'newguest', email: '', auth: -1 });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'GUEST_ACCOUNT_READ_ONLY');
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
