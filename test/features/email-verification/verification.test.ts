import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { digestOf } from '../../../src/features/auth/opaque-tokens.ts';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, frontOrigin, memoryLogger, startTestApp, type TestApp } from '../../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink.ts';

const frontUrl = 'https://front.example';
const linkPattern = new RegExp(`${frontUrl.replace(/\./g, '\\.')}/auth/email/([^/\\s]+)/([\\w-]+)`);

/** The two path segments the front end's /auth/email/<id>/<key> page reads. */
function linkParts(text: string): { id: string; key: string } {
  const match = linkPattern.exec(text) ?? assert.fail(`no verification link in: ${text}`);
  return { id: decodeURIComponent(match[1]!), key: match[2]! };
}

for (const kind of databaseKinds) {
  describe(`E-mail verification through a real SMTP server on ${kind}`, () => {
    let t: TestApp;
    let smtp: SmtpSink;
    before(async () => {
      smtp = await startSmtpSink();
      t = await startTestApp(kind, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'helper@yongheonn.com', FRONT_URL: frontUrl } });
    });
    after(async () => {
      await t.close();
      await smtp.close();
    });

    const sendMail = (token: string) =>
      request(t.app).post('/ajax/auth/email/').set('Origin', frontOrigin).set('Authorization', token).set('Content-Type', 'application/json').send('');
    const waiting = (token: string) => request(t.app).get('/ajax/auth/email/waiting').set('Authorization', token);
    const verify = (query: Record<string, string>) => request(t.app).get('/ajax/auth/email/verify').set('Origin', frontOrigin).query(query);

    it('When a new user asks for the mail and follows its link, then the account becomes verified and gets a verified token', async () => {
      const registered = await request(t.app)
        .post('/ajax/register/')
        .send({ id: 'mailer1', pw: 'password12', nick: 'mailer_one', email: 'mailer1@example.com' });
      const token = registered.headers.authorization ?? '';
      assert.equal((await waiting(token)).status, 202);

      const sent = await sendMail(token);
      assert.equal(sent.status, 200);
      const mail = await smtp.nextMail();
      assert.deepEqual(mail.to, ['mailer1@example.com']);
      assert.equal(mail.from, 'helper@yongheonn.com');
      assert.match(mail.subject, /계정 인증/);
      const { id, key } = linkParts(mail.text);
      assert.equal(id, 'mailer1');

      const verified = await verify({ id, key });
      assert.equal(verified.status, 200);
      assert.deepEqual(await t.accessTokens.verify(verified.headers.authorization ?? ''), { kind: 'valid', user: { id: 'mailer1', role: 'ROLE_USER_CERT' } });
      assert.equal((await waiting(token)).status, 200);
      assert.equal((await verify({ id, key })).status, 400, 'a key works once');
    });

    it('§5.19 bad verification key is 400 not 500', async () => {
      const res = await verify({ id: 'mailer1', key: 'no-such-key' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VERIFICATION_KEY_INVALID');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });

    it('When id or key is missing, then 400 naming it', async () => {
      const res = await verify({ id: 'mailer1' });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.error.fields.map((field: { field: string }) => field.field), ['key']);
    });

    it('When the link has expired (30 minutes), then 400 and the account stays unverified', async () => {
      await storeUser(t.database.db, { id: 'late_one', auth: 1 });
      const token = await t.accessTokens.issue({ id: 'late_one', role: 'ROLE_USER_NONCERT' });
      assert.equal((await sendMail(token)).status, 200);
      const { id, key } = linkParts((await smtp.nextMail()).text);
      await sql`update email_verification set expires_at = now() - interval '1 second'`.execute(t.database.db);
      assert.equal((await verify({ id, key })).status, 400);
      assert.equal((await waiting(token)).status, 202);
    });

    it('When a key is presented with another user\'s id, then 400', async () => {
      await storeUser(t.database.db, { id: 'other_1', auth: 1 });
      await storeUser(t.database.db, { id: 'other_2', auth: 1 });
      assert.equal((await sendMail(await t.accessTokens.issue({ id: 'other_1', role: 'ROLE_USER_NONCERT' }))).status, 200);
      const { key } = linkParts((await smtp.nextMail()).text);
      assert.equal((await verify({ id: 'other_2', key })).status, 400);
      assert.equal((await verify({ id: 'other_1', key })).status, 200);
    });

    it('When a user asks for a second mail within a minute, then 429 with Retry-After and CORS headers', async () => {
      await storeUser(t.database.db, { id: 'eager_1', auth: 1 });
      const token = await t.accessTokens.issue({ id: 'eager_1', role: 'ROLE_USER_NONCERT' });
      assert.equal((await sendMail(token)).status, 200);
      await smtp.nextMail();
      const again = await sendMail(token);
      assert.equal(again.status, 429);
      assert.ok(Number(again.headers['retry-after']) > 0 && Number(again.headers['retry-after']) <= 60);
      assert.equal(again.headers['access-control-allow-origin'], frontOrigin);
    });

    it('When the account is already verified, then 409 and no mail', async () => {
      await storeUser(t.database.db, { id: 'done01', auth: 2 });
      const token = await t.accessTokens.issue({ id: 'done01', role: 'ROLE_USER_CERT' });
      const res = await sendMail(token);
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'EMAIL_ALREADY_VERIFIED');
      assert.equal(smtp.mails.length, 0);
    });

    it('When an admin follows a verification link, then the admin stays an admin (only 1 → 2 is raised)', async () => {
      await storeUser(t.database.db, { id: 'admin_1', auth: 3 });
      await t.database.db.insertInto('email_verification').values({
        id: digestOf('admin-key'),
        user_id: 'admin_1',
        email: 'admin_1@example.com',
        expires_at: new Date(Date.now() + 60_000),
      }).execute();
      const res = await verify({ id: 'admin_1', key: 'admin-key' });
      assert.equal(res.status, 200);
      assert.equal((await t.accessTokens.verify(res.headers.authorization ?? '')).kind, 'valid');
      const row = await t.database.db.selectFrom('user').select('auth').where('id', '=', 'admin_1').executeTakeFirstOrThrow();
      assert.equal(row.auth, 3);
    });

    it('When the token names a user without a row, then waiting answers 404 (the original: 500)', async () => {
      const token = await t.accessTokens.issue({ id: 'ghost_1', role: 'ROLE_USER_CERT' });
      assert.equal((await waiting(token)).status, 404);
    });

    it('When the SMTP server refuses the mail, then 502 JSON with CORS headers (the original said 200)', async () => {
      await storeUser(t.database.db, { id: 'refused1', auth: 1 });
      smtp.refuseRecipients();
      const res = await sendMail(await t.accessTokens.issue({ id: 'refused1', role: 'ROLE_USER_NONCERT' }));
      assert.equal(res.status, 502);
      assert.equal(res.body.error.code, 'MAIL_SEND_FAILED');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    });
  });
}

describe('Verification mail without SMTP in development', () => {
  let t: TestApp;
  const { logger, lines } = memoryLogger('info');
  before(async () => {
    t = await startTestApp('pglite', { logger, env: { NODE_ENV: 'development', FRONT_URL: frontUrl } });
    await storeUser(t.database.db, { id: 'devuser1', auth: 1 });
  });
  after(() => t.close());

  it('When SMTP_URL is unset in development, then the mail is written to the log at info and its link works', async () => {
    const token = await t.accessTokens.issue({ id: 'devuser1', role: 'ROLE_USER_NONCERT' });
    assert.equal((await request(t.app).post('/ajax/auth/email').set('Authorization', token)).status, 200);
    const line = lines.find((entry) => entry.level === 'info' && typeof (entry.mail as { text?: string } | undefined)?.text === 'string');
    assert.ok(line, 'the mail was logged at info');
    const { id, key } = linkParts((line.mail as { text: string }).text);
    assert.equal((await request(t.app).get('/ajax/auth/email/verify').query({ id, key })).status, 200);
  });
});
