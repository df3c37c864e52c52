import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';

for (const kind of databaseKinds) {
  describe(`Account on ${kind}`, () => {
    let t: TestApp;
    let aliceToken: string;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'alice1', nick: 'alice', email: 'alice@example.com', auth: 2 });
      await storeUser(t.database.db, { id: 'bobby1', nick: 'bobby', email: 'bob@example.com', auth: 2 });
      aliceToken = await t.accessTokens.issue({ id: 'alice1', role: 'ROLE_USER_CERT' });
    });
    after(() => t.close());

    const update = (token: string, nick: unknown) =>
      request(t.app).post('/ajax/account/update').set('Origin', frontOrigin).set('Authorization', token).send({ id: '', nick, email: '', auth: -1 });
    const nickOf = async (id: string) => (await t.database.db.selectFrom('user').select('nick').where('id', '=', id).executeTakeFirstOrThrow()).nick;

    it('When the front end changes the nick (sending its id/email/auth placeholders), then 200 empty and the nick is stored', async () => {
      const res = await update(aliceToken, '앨리스_2');
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      assert.equal(await nickOf('alice1'), '앨리스_2');
    });

    it('When the nick is taken by someone else (in any case), then 400 and nothing changes', async () => {
      const res = await update(aliceToken, 'BOBBY');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'ALREADY_TAKEN');
      assert.equal(await nickOf('alice1'), '앨리스_2');
    });

    it('When users change only the case of their own nick, then it is allowed', async () => {
      assert.equal((await update(aliceToken, 'ALICE_2x')).status, 200);
      assert.equal((await update(aliceToken, 'alice_2x')).status, 200);
    });

    it('When the nick is malformed or missing, then 400 naming nick', async () => {
      for (const nick of ['a b c d e', 'abc', undefined]) {
        const res = await update(aliceToken, nick);
        assert.equal(res.status, 400);
        assert.equal(res.body.error.fields[0].field, 'nick');
      }
    });

    it('When no token is sent, then 401', async () => {
      assert.equal((await update('', 'whoever')).status, 401);
    });

    it('When GET /ajax/login/oauth is called with a token (as after the OAuth redirect), then it answers the user JSON', async () => {
      const res = await request(t.app).get('/ajax/login/oauth').set('Authorization', aliceToken);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body), ['id', 'nick', 'email', 'auth']);
      assert.equal(res.body.id, 'alice1');
      assert.equal((await request(t.app).get('/ajax/login/oauth')).status, 401);
    });

    it('When a guest calls POST /ajax/account/, then it answers that guest: its own id and nick, no address, auth 0', async () => {
      const login = await request(t.app).get('/ajax/login/guest');
      const res = await request(t.app).post('/ajax/account/').set('Authorization', login.headers.authorization ?? '');
      assert.deepEqual(res.body, login.body);
      assert.deepEqual([res.body.email, res.body.auth], [null, 0]);
    });
  });
}
