import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import request from 'supertest';
import { createPostgresSchema, databaseKinds, frontOrigin, startTestApp, testSecret, type TestApp } from '../../helpers/app.ts';
import { storeUser } from '../../helpers/accounts.ts';
import { runCommand } from '../../helpers/run-command.ts';

const cli = fileURLToPath(new URL('../../../src/admin/cli.ts', import.meta.url));

for (const kind of databaseKinds) {
  describe(`Unverified addresses and verification mails on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    const register = (id: string, email: string) =>
      request(t.app).post('/ajax/register/').set('Origin', frontOrigin).set('X-Forwarded-For', `198.18.2.${id.length}`).send({ id, pw: 'password12', nick: `${id}_n`, email });
    const age = (id: string, days: number) => sql`update "user" set created_at = now() - make_interval(days => ${days}) where id = ${id}`.execute(t.database.db);

    it('When an unverified account has held an address for more than 7 days, then the address is free: the check says so, and a sign-up takes it', async () => {
      await storeUser(t.database.db, { id: 'squat1', email: 'victim@example.com', auth: 1 });
      await age('squat1', 8);
      const check = await request(t.app).post('/ajax/register/email-exist').send({ email: 'Victim@example.com' });
      assert.equal(check.body, false);
      assert.equal((await register('owner1', 'victim@example.com')).status, 200);
      const squatter = await t.database.db.selectFrom('user').select('email').where('id', '=', 'squat1').executeTakeFirstOrThrow();
      assert.equal(squatter.email, null, 'the old account stays, without the address');
    });

    it('When the unverified account is younger, or the holder verified, then the address stays taken', async () => {
      await storeUser(t.database.db, { id: 'young1', email: 'young@example.com', auth: 1 });
      await age('young1', 6);
      await storeUser(t.database.db, { id: 'known1', email: 'known@example.com', auth: 2 });
      await age('known1', 100);
      for (const email of ['young@example.com', 'known@example.com']) {
        const res = await register(`new_${email.slice(0, 4)}`, email);
        assert.equal(res.status, 400, email);
        assert.equal(res.body.error.code, 'ALREADY_TAKEN');
      }
    });

    it('When verification mails keep being asked for one address, by whichever accounts, then the sixth is refused: 429 VERIFICATION_MAILS_EXHAUSTED', async () => {
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 6; attempt += 1) {
        const id = `mailer${attempt}`;
        await storeUser(t.database.db, { id, email: 'flooded@example.com', auth: 1 });
        const token = await t.accessTokens.issue({ id, role: 'ROLE_USER_NONCERT' });
        const res = await request(t.app).post('/ajax/auth/email/').set('Origin', frontOrigin).set('Authorization', token).set('X-Forwarded-For', `198.18.3.${attempt}`).send('');
        statuses.push(res.status);
        if (res.status === 429) assert.equal(res.body.error.code, 'VERIFICATION_MAILS_EXHAUSTED');
        await t.database.db.deleteFrom('user').where('id', '=', id).execute();
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    });
  });

  describe(`npm run admin on ${kind}`, () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (kind === 'postgres') {
        const schema = await createPostgresSchema();
        env = { DATABASE_URL: schema.url };
        cleanup = schema.drop;
      } else {
        const dir = await mkdtemp(join(tmpdir(), 'forum-admin-'));
        env = { DATA_DIR: dir };
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
    });
    after(() => cleanup?.());

    const admin = async (args: string[], password?: string) => {
      const dir = await mkdtemp(join(tmpdir(), 'forum-admin-pw-'));
      const file = join(dir, 'pw');
      if (password !== undefined) await (await import('node:fs/promises')).writeFile(file, `${password}\n`);
      try {
        return await runCommand(process.execPath, [cli, ...args, ...(password === undefined ? [] : ['--password-file', file])], { PATH: process.env.PATH, ...env }, 60_000);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };

    it('When "create admin" runs, then the administrator the sample subjects name exists and signs in through the login route with role ROLE_ADMIN; "promote" raises another account', async () => {
      const created = await admin(['create', 'admin'], 'adminpass12');
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await admin(['create', 'admin'], 'adminpass12')).code, 1, 'an existing id is refused');
      let t: TestApp | undefined;
      try {
        t = await startTestApp(kind, { env: { ...env, JWT_SECRET: testSecret } });
        await storeUser(t.database.db, { id: 'later1', auth: 2 });
        const login = await request(t.app).post('/ajax/login/').send({ id: 'admin', pw: 'adminpass12' });
        assert.equal(login.status, 200, login.text);
        assert.equal(login.body.auth, 3);
      } finally {
        await t?.close();
      }
      const promoted = await admin(['promote', 'later1']);
      assert.equal(promoted.code, 0, promoted.stderr);
      assert.equal((await admin(['promote', 'guest'])).code, 1, 'guests cannot be administrators');
      assert.equal((await admin(['frobnicate', 'x'])).code, 2);
    });
  });
}
