import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { storeUser } from './helpers/accounts.ts';
import { databaseKinds, frontOrigin, testSecret } from './helpers/app.ts';
import { Browser, publicApiOrigin } from './helpers/browser.ts';
import { emailAuthPage, FrontEnd, listDate, type UserJson } from './helpers/front-end.ts';
import { spawnServerOn, type ServerProcess } from './helpers/server-process.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';
import { expiredAccessToken } from './helpers/tokens.ts';

/**
 * The original React front end's calls (forum-api.md §4.2), in the order a new user makes them, against
 * `node src/server.ts` listening on a port: exact front-end headers, a passing CORS preflight before every
 * call, cookies kept by the browser's rules, responses read the way the components read them.
 *
 * Cookies: the server sits behind the load balancer, so the browser talks https to api.yongheonn.com and
 * judges the refreshToken cookie's Secure, Domain (COOKIE_DOMAIN=yongheonn.com) and Path against that URL;
 * the load balancer forwards plain http to the port (X-Forwarded-Proto: https), which is what the test sends.
 * A Secure cookie is therefore stored and sent because the page's URL is https, never because the test
 * ignores the flag (test/helpers/cookie-jar.ts refuses it for an http URL).
 */
type Board = Record<'bno' | 's_bno' | 'view' | 'recommend', number> &
  Record<'sid' | 'user_id' | 'writer' | 'content' | 'reg_date' | 'update_date' | 'pw', string | null> & { title: string; deleted: boolean | null };

const boardKeys = ['bno', 'sid', 's_bno', 'user_id', 'writer', 'title', 'content', 'view', 'recommend', 'reg_date', 'update_date', 'pw', 'deleted'];
const administrator = { id: 'boss01', pw: 'bosspass12' };
const newcomer = { id: 'newbie1', pw: 'newbie-pass1', nick: '새내기_1', email: 'newbie1@example.com' };
const sid = 'journey';
const code = 'Jn42xQ';
const refreshUrl = new URL('/ajax/auth/refresh', publicApiOrigin);
const seoulNow = () => new Date().toLocaleString('sv-SE', { timeZone: 'Asia/Seoul' });
const json = JSON.stringify;

for (const kind of databaseKinds) {
  describe(`The original front end's journey against a listening server process on ${kind}`, () => {
    let smtp: SmtpSink;
    let running: { server: ServerProcess; stop(): Promise<void> };
    let admin: FrontEnd;
    let owner: FrontEnd;
    let stranger: FrontEnd;
    const posts = { public: 0, nonpw: 0, coded: 0 };
    let writtenFrom = '';
    let verificationKey = '';
    const page = (front: FrontEnd) => front.get(`/ajax/board/list?sid=${sid}&page=1`);
    const read = (front: FrontEnd, bno: number) => front.get(`/ajax/board/read?bno=${bno}`);

    before(async () => {
      smtp = await startSmtpSink();
      const env = { SMTP_URL: smtp.url, COOKIE_DOMAIN: 'yongheonn.com', FRONT_URL: frontOrigin, CORS_ORIGINS: frontOrigin };
      // Administrators exist only by a database change (forum-api.md §1.4): the operator's one manual step.
      running = await spawnServerOn(kind, env, (db) => storeUser(db, { ...administrator, auth: 3 }).then(() => undefined));
      const tab = (address: string) => new FrontEnd(new Browser(running.server.port, address));
      [admin, owner, stranger] = [tab('203.0.113.10'), tab('203.0.113.20'), tab('203.0.113.30')];
    });
    after(async () => {
      await running?.stop();
      await smtp?.close();
    });

    it('When the administrator logs in and opens a subject, then the User JSON has auth 3 and regi answers the id as a bare JSON string', async () => {
      assert.equal((await admin.get('/ajax/subject/all')).status, 200);
      const login = await admin.anonymous('POST', '/ajax/login/', json(administrator));
      assert.equal(login.status, 200);
      assert.deepEqual(Object.keys(admin.storeSession(login)), ['id', 'nick', 'email', 'auth']);
      assert.equal(admin.localStorage.get('auth'), 'ROLE_ADMIN');
      const created = await admin.post('/ajax/subject/regi', json({ id: sid, title: '여정', description: '<p>a walk</p><script>alert(1)</script>', admin: administrator.id }));
      assert.equal(created.status, 200);
      assert.equal(created.text, `"${sid}"`);
    });

    it('When a visitor opens the subject and checks id, nick and e-mail, then the subject has its 4 fields and each check is a bare boolean', async () => {
      const subjects = (await owner.get('/ajax/subject/all')).json() as Array<Record<string, unknown>>;
      const subject = (await owner.get(`/ajax/subject/get?sid=${sid}`)).json() as Record<string, unknown>;
      assert.deepEqual(subjects.find((entry) => entry.id === sid), subject);
      assert.deepEqual([subject.title, subject.admin, subject.description], ['여정', administrator.id, '<p>a walk</p>']);
      const checks: Array<[string, object, boolean]> = [
        ['id-exist', { id: newcomer.id }, false],
        ['nick-exist', { nick: newcomer.nick }, false],
        ['email-exist', { email: newcomer.email }, false],
        ['id-exist', { id: administrator.id }, true],
      ];
      for (const [check, body, taken] of checks) {
        const res = await owner.anonymous('POST', `/ajax/register/${check}`, json(body));
        assert.equal(res.status, 200, check);
        assert.equal(res.json(), taken, `${check} ${json(body)}`);
      }
    });

    it('When the visitor signs up, then User JSON with auth 1 and a readable token arrive, and the refresh cookie is kept for refresh and logout only', async () => {
      const res = await owner.anonymous('POST', '/ajax/register/', json({ ...newcomer, pwRe: newcomer.pw }));
      assert.equal(res.status, 200, res.text);
      const { pw: _pw, ...shown } = newcomer;
      assert.deepEqual(owner.storeSession(res), { ...shown, auth: 1 } satisfies UserJson);
      assert.equal(owner.localStorage.get('auth'), 'ROLE_USER_NONCERT');
      const jar = owner.browser.jar;
      assert.ok(jar.valueFor('refreshToken', refreshUrl), 'sent to /ajax/auth/refresh');
      assert.ok(jar.valueFor('refreshToken', new URL('/ajax/logout/', publicApiOrigin)), 'sent to /ajax/logout/');
      assert.equal(jar.valueFor('refreshToken', new URL('/ajax/board/list', publicApiOrigin)), undefined, 'not sent anywhere else');
      assert.equal(jar.valueFor('refreshToken', new URL('http://api.yongheonn.com/ajax/auth/refresh')), undefined, 'Secure: never over http');
    });

    it('When the new user asks for the mail and the link is opened, then a real mail carries it, verify answers a token and waiting turns from 202 to 200', async () => {
      assert.equal((await owner.post('/ajax/auth/email/', '')).status, 200);
      const mail = await smtp.nextMail();
      assert.deepEqual([mail.to, mail.from], [[newcomer.email], 'helper@yongheonn.com']);
      assert.equal((await owner.get('/ajax/auth/email/waiting')).status, 202);
      const link = new RegExp(`${frontOrigin}/auth/email/\\S+`).exec(mail.text)?.[0] ?? assert.fail(mail.text);
      const { id, key } = emailAuthPage(link);
      assert.equal(id, newcomer.id);
      verificationKey = key;
      const verified = await owner.anonymous('GET', `/ajax/auth/email/verify?id=${id}&key=${key}`);
      assert.equal(verified.status, 200);
      owner.localStorage.set('access_token', verified.header('Authorization') ?? assert.fail('no readable Authorization'));
      assert.equal((await owner.get('/ajax/auth/email/waiting')).status, 200);
    });

    it('When the verified user writes a public, a nonpw and a coded post, then each create answers a bare number', async () => {
      const write = async (title: string, pw: string | null) => {
        const res = await owner.post('/ajax/board/create', json({ title, content: `<p>${title}</p>`, pw, sid }));
        assert.equal(res.status, 200, res.text);
        assert.match(res.text, /^\d+$/);
        return res.json() as number;
      };
      writtenFrom = seoulNow();
      posts.public = await write('공개 글', null);
      posts.nonpw = await write('나만 보기', 'nonpw');
      posts.coded = await write('암호 글', code);
    });

    it('When the subject page lists them, then the reversed array is newest first, with locks, s_bno, writer, counters and splittable dates', async () => {
      const res = await page(owner);
      const listedBy = seoulNow();
      assert.equal(res.status, 200);
      assert.equal(res.header('X-Total-Count'), '3');
      const rows = [...(res.json() as Board[])].reverse();
      assert.deepEqual(rows.map((row) => row.bno), [posts.coded, posts.nonpw, posts.public]);
      assert.deepEqual(rows.map((row) => [row.s_bno, row.pw === 'pw', row.writer, `${row.view}/${row.recommend}`]), [
        [2, true, newcomer.nick, '0/0'],
        [1, true, newcomer.nick, '0/0'],
        [0, false, newcomer.nick, '0/0'],
      ]);
      for (const row of rows) {
        assert.deepEqual(Object.keys(row), boardKeys);
        assert.match(listDate(row.reg_date ?? '', new Date()), /^(\d\d:\d\d|\d{4}-\d\d-\d\d)$/);
        assert.ok(writtenFrom <= row.reg_date! && row.reg_date! <= listedBy, `${row.reg_date}: Seoul time, between ${writtenFrom} and ${listedBy}`);
      }
    });

    it('When the author reads each post, then user_id is "id", pw is the real value and view.toString() works', async () => {
      for (const [bno, pw] of [[posts.public, null], [posts.nonpw, 'nonpw'], [posts.coded, code]] as const) {
        const res = await read(owner, bno);
        assert.equal(res.status, 200);
        const board = res.json() as Board;
        assert.deepEqual(Object.keys(board), boardKeys);
        assert.deepEqual([board.user_id, board.pw, board.view.toString(), board.update_date, board.writer], ['id', pw, '0', null, newcomer.nick]);
      }
    });

    it('When a stranger reads them, then the public post is 200, nonpw 401, coded 428 until read-secret opens it (a wrong code is 400)', async () => {
      const visible = await read(stranger, posts.public);
      assert.equal(visible.status, 200);
      const board = visible.json() as Board;
      assert.deepEqual([board.user_id, board.pw, board.view.toString()], [null, null, '1']);
      assert.equal((await read(stranger, posts.nonpw)).status, 401);
      assert.equal((await read(stranger, posts.coded)).status, 428);
      assert.equal((await stranger.get(`/ajax/board/read-secret?bno=${posts.coded}&pw=zz99zz`)).status, 400);
      const opened = await stranger.get(`/ajax/board/read-secret?bno=${posts.coded}&pw=${code}`);
      assert.equal(opened.status, 200);
      const secret = opened.json() as Board;
      assert.deepEqual([secret.user_id, secret.pw, secret.title], [null, 'pw', '암호 글']);
    });

    it('When the author recommends a post twice, then 200 and then 400 ("already recommended")', async () => {
      assert.equal((await owner.post('/ajax/board/recommend', String(posts.public))).status, 200);
      assert.equal((await owner.post('/ajax/board/recommend', String(posts.public))).status, 400);
      assert.equal(((await read(owner, posts.public)).json() as Board).recommend, 1);
    });

    it('When the author edits the coded post from the pre-filled form (bno as a string), then 200 and the post shows update_date', async () => {
      const before = (await read(owner, posts.coded)).json() as Board;
      const res = await owner.post('/ajax/board/update', json({ title: '고친 글', content: before.content, pw: before.pw, bno: String(posts.coded) }));
      assert.equal(res.status, 200);
      const edited = (await read(owner, posts.coded)).json() as Board;
      assert.deepEqual([edited.title, edited.pw], ['고친 글', code]);
      assert.match(edited.update_date ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    });

    it('When the author deletes the nonpw post with the body JSON.stringify("bno"), then 200, reading it is 404 and the list drops it', async () => {
      assert.equal((await owner.post('/ajax/board/delete', json(String(posts.nonpw)))).status, 200);
      assert.equal((await read(owner, posts.nonpw)).status, 404);
      const res = await page(owner);
      assert.deepEqual((res.json() as Board[]).map((row) => row.bno), [posts.public, posts.coded]);
      assert.equal(res.header('X-Total-Count'), '2');
    });

    it('When the access token has expired, then 303 → refresh with the cookie → the same call with the new token → 200', async () => {
      const current = owner.token;
      const expired = await expiredAccessToken(createAccessTokens(testSecret), { id: newcomer.id, role: 'ROLE_USER_CERT' });
      assert.deepEqual(decodeProtectedHeader(expired), decodeProtectedHeader(current), 'issued as the server issues');
      assert.deepEqual(Object.keys(decodeJwt(expired)).sort(), Object.keys(decodeJwt(current)).sort());
      for (const call of [() => owner.post('/ajax/board/create', json({ title: '다시', content: '<p>back</p>', pw: null, sid })), () => page(owner)]) {
        owner.localStorage.set('access_token', expired);
        const cookie = owner.browser.jar.valueFor('refreshToken', refreshUrl);
        const { first, refresh, final } = await owner.withRefresh(call);
        assert.deepEqual([first.status, first.text, refresh?.status, final.status], [303, '', 200, 200]);
        assert.notEqual(owner.token, expired);
        assert.notEqual(owner.browser.jar.valueFor('refreshToken', refreshUrl), cookie, 'the refresh cookie was rotated');
      }
    });

    it('When the user logs out, then the cookies are cleared, refresh answers 401, and a copy of the old cookie is refused too', async () => {
      const copy = owner.browser.jar.valueFor('refreshToken', refreshUrl) ?? assert.fail('no cookie before logout');
      assert.equal((await owner.anonymous('POST', '/ajax/logout/', '')).status, 200);
      owner.forgetSession();
      assert.equal(owner.browser.jar.valueFor('refreshToken', refreshUrl), undefined);
      assert.equal(owner.browser.jar.valueFor('refreshToken', new URL('/ajax/logout/', publicApiOrigin)), undefined);
      assert.equal((await owner.refreshAccessToken()).status, 401);
      const thief = new Browser(running.server.port, '192.0.2.66');
      thief.jar.store([`refreshToken=${copy}; Path=/ajax/auth/refresh; Secure; SameSite=None`], refreshUrl);
      assert.equal((await thief.fetch({ method: 'POST', path: '/ajax/auth/refresh', authorization: '', body: '' })).status, 401);
    });

    it('When the user logs in again (a password with "-", which the original login refused), then 200, auth 2 and a new refresh cookie', async () => {
      const res = await owner.anonymous('POST', '/ajax/login/', json({ id: newcomer.id, pw: newcomer.pw }));
      assert.equal(res.status, 200);
      assert.equal(owner.storeSession(res).auth, 2);
      assert.equal(owner.localStorage.get('auth'), 'ROLE_USER_CERT');
      assert.ok(owner.browser.jar.valueFor('refreshToken', refreshUrl));
    });

    it('When the journey is over, then the server logged no error and no secret: no token, cookie, password, code or verification key', async () => {
      const log = JSON.stringify(running.server.logs);
      assert.deepEqual(running.server.logs.filter((line) => line.level === 'error' || line.level === 'fatal'), []);
      const secrets = [...admin.browser.secrets, ...owner.browser.secrets, ...stranger.browser.secrets, administrator.pw, newcomer.pw, code, verificationKey];
      assert.ok(secrets.length > 10 && verificationKey !== '');
      assert.deepEqual(secrets.filter((secret) => log.includes(secret)), []);
    });
  });
}
