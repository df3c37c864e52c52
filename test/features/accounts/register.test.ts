import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { verifyPassword } from '../../../src/features/auth/passwords.ts';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { refreshTokenOf } from '../../helpers/cookies.ts';
import { assertLimitedAfter } from '../../helpers/rate-limit.ts';

const newcomer = { id: 'newbie_1', pw: 'Secret-pw\\9', pwRe: 'Secret-pw\\9', nick: '새내기_one', email: 'New.Bie@Example.com' };

for (const kind of databaseKinds) {
  describe(`Registration on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'victim1', pw: 'victimpass1', nick: 'victim', email: 'victim@example.com' });
    });
    after(() => t.close());

    const register = (body: object) => request(t.app).post('/ajax/register/').set('Origin', frontOrigin).set('Authorization', '').send(body);

    it('When the front end registers a new user, then 200 with the user (auth 1), an access token and the refresh cookie', async () => {
      const res = await register(newcomer);
      assert.equal(res.status, 200);
      assert.equal(res.text, JSON.stringify({ id: 'newbie_1', nick: '새내기_one', email: 'New.Bie@Example.com', auth: 1 }));
      assert.deepEqual(await t.accessTokens.verify(res.headers.authorization ?? ''), { kind: 'valid', user: { id: 'newbie_1', role: 'ROLE_USER_NONCERT' } });
      assert.ok(refreshTokenOf(res));
      const login = await request(t.app).post('/ajax/login/').send({ id: 'newbie_1', pw: 'Secret-pw\\9' });
      assert.equal(login.status, 200, 'the password the front end accepted (with - and \\) logs in');
    });

    it('§5.4 passwords are stored hashed', async () => {
      const row = await t.database.db.selectFrom('user').select('pw').where('id', '=', 'newbie_1').executeTakeFirstOrThrow();
      assert.notEqual(row.pw, newcomer.pw);
      assert.ok(!row.pw?.includes(newcomer.pw));
      assert.match(row.pw ?? '', /^scrypt\$1\$N=\d+,r=\d+,p=\d+\$[\w-]+\$[\w-]+$/);
      assert.equal(await verifyPassword(newcomer.pw, row.pw), true);
    });

    it('§5.3 register never leaks a token for an existing id', async () => {
      const res = await register({ ...newcomer, id: 'victim1', nick: 'attacker', email: 'attacker@example.com' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'ALREADY_TAKEN');
      assert.equal(res.headers.authorization, undefined);
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('When the nick or e-mail is taken (in any case), then 400 naming that field and no token', async () => {
      for (const [field, body] of [
        ['nick', { ...newcomer, id: 'other_01', nick: 'VICTIM', email: 'other@example.com' }],
        ['email', { ...newcomer, id: 'other_02', nick: 'other_two', email: 'VICTIM@example.com' }],
      ] as const) {
        const res = await register(body);
        assert.equal(res.status, 400, field);
        assert.deepEqual(res.body.error.fields, [{ field, message: `${field} is already taken` }]);
        assert.equal(res.headers.authorization, undefined);
      }
    });

    it('When fields are missing or malformed, then 400 naming each of them, never 500', async () => {
      const res = await register({ id: 'Bad Id', pw: 'short', email: 'not-an-email' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.fields.map((field: { field: string }) => field.field).sort(), ['email', 'id', 'nick', 'pw']);
      assert.equal(res.headers.authorization, undefined);
    });

    it('When the path is not exactly /ajax/register/, then nobody is registered (no wildcard mapping)', async () => {
      const res = await request(t.app).post('/ajax/register/anything').send({ ...newcomer, id: 'wildcard1', nick: 'wildcard1', email: 'w@example.com' });
      assert.equal(res.status, 401, 'an unknown /ajax route is default-deny for anonymous callers');
      assert.equal(await t.database.db.selectFrom('user').select('id').where('id', '=', 'wildcard1').executeTakeFirst(), undefined);
    });
  });

  describe(`Existence checks on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await storeUser(t.database.db, { id: 'alice1', nick: 'alice', email: 'alice@example.com' });
    });
    after(() => t.close());

    const check = (field: string, body: object) => request(t.app).post(`/ajax/register/${field}-exist`).set('Origin', frontOrigin).send(body);

    it('When a value is taken, then the body is the bare JSON true; when free, the bare JSON false', async () => {
      for (const [field, taken, free] of [
        ['id', 'alice1', 'bobby1'],
        ['nick', 'ALICE', 'bobby'],
        ['email', 'Alice@Example.com', 'bob@example.com'],
      ] as const) {
        const yes = await check(field, { [field]: taken });
        assert.equal(yes.status, 200);
        assert.match(yes.headers['content-type'] ?? '', /application\/json/);
        assert.equal(yes.text, 'true', field);
        assert.equal((await check(field, { [field]: free })).text, 'false', field);
      }
    });

    it('When the value is malformed or missing, then 400 naming the field (the original answered 500 when missing)', async () => {
      for (const field of ['id', 'nick', 'email']) {
        for (const body of [{ [field]: '<bad value>' }, {}]) {
          const res = await check(field, body);
          assert.equal(res.status, 400);
          assert.equal(res.body.error.fields[0].field, field);
        }
      }
    });
  });
}

describe('Registration rate limits', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  it('When one address keeps registering, then 429 with Retry-After and CORS headers after 20 an hour', async () => {
    await assertLimitedAfter(20, () => request(t.app).post('/ajax/register/').send({ id: 'x' }));
  });

  it('When one address keeps probing ids, nicks or e-mails, then each check answers 429 after 60 a minute', async () => {
    for (const field of ['id', 'nick', 'email']) {
      await assertLimitedAfter(60, () => request(t.app).post(`/ajax/register/${field}-exist`).send({ [field]: 'x' }), field);
    }
  });
});
