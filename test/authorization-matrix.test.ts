import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import { databaseKinds, frontOrigin } from './helpers/app.ts';
import { callerNames, cast, MatrixForum, type Caller, type CallerName } from './helpers/matrix-forum.ts';
import { mountedRoutes } from './helpers/router-stack.ts';

/**
 * Every route × every kind of caller → the status the original front end branches on (forum-api.md §2,
 * §4.2, and where we knowingly differ, docs/compatibility.md). Each cell is one real request to the real app
 * on a real database; a request that changes something gets fresh rows of its own (`f.post()`, `f.subject()`…).
 *
 * Columns: anon = `Authorization: ''`; exp = the verified user's token 31 minutes on (with their refresh
 * cookie, sent only where its Path allows); unv = ROLE_USER_NONCERT; ver = ROLE_USER_CERT, not the author;
 * auth = the author: wrote the posts and administers the subject concerned; adm = ROLE_ADMIN; gst = the
 * shared account of GET /ajax/login/guest. Every caller has its own client address (rate limits count per
 * address, as for real browsers).
 */
type Statuses = readonly [number, number, number, number, number, number, number];
type Send = (c: Caller, f: MatrixForum) => PromiseLike<request.Response>;

interface Row {
  label: string;
  /** The mounted route the row exercises ("METHOD path"), or null for paths no route serves. */
  route: string | null;
  expected: Statuses;
  send: Send;
}

const row = (label: string, expected: Statuses, send: Send, route: string | null = label.split(' · ')[0]!): Row => ({ label, route, expected, send });
const json = (value: unknown) => JSON.stringify(value);

// The bodies the front end sends (forum-api.md §4.2), on fresh rows where the call changes them.
const newPost = (f: MatrixForum) => ({ title: 't', content: '<p>c</p>', pw: null, sid: f.sid });
const postEdit = async (f: MatrixForum) => ({ title: 'edited', content: '<p>edited</p>', pw: null, bno: String(await f.post()) });
const nickChange = (f: MatrixForum) => ({ id: '', nick: f.unique('nick_'), email: '', auth: -1 });
const newSubject = (f: MatrixForum) => ({ id: f.unique('regi-'), title: 't', description: '', admin: cast.author.id });
const subjectEdit = async (f: MatrixForum) => ({ id: await f.subject(), title: 'new', description: '<p>new</p>', admin: cast.author.id });
const verifyLink = async (f: MatrixForum) => `/ajax/auth/email/verify?${new URLSearchParams(await f.mailedLink())}`;

// prettier-ignore
const matrix: Row[] = [
  // route · what the cell uses                                       anon exp  unv  ver  auth adm  gst
  row('GET /',                                                       [200, 200, 200, 200, 200, 200, 200], (c) => c.get('/')),
  row('GET /ajax/health/',                                           [200, 200, 200, 200, 200, 200, 200], (c) => c.get('/ajax/health/')),
  row('GET /ajax/health (no slash: the same public route)',          [200, 200, 200, 200, 200, 200, 200], (c) => c.get('/ajax/health'), 'GET /ajax/health/'),
  row('GET /ajax/health/ready',                                      [200, 200, 200, 200, 200, 200, 200], (c) => c.get('/ajax/health/ready')),
  row('GET /ajax/openapi.json',                                      [200, 303, 200, 200, 200, 200, 200], (c) => c.get('/ajax/openapi.json')),

  row('POST /ajax/login/ · the verified user\'s password',           [200, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/login/').send(cast.verified)),
  row('POST /ajax/login (no slash: the same public route)',          [200, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/login').send(cast.verified), 'POST /ajax/login/'),
  row('GET /ajax/login/guest',                                       [200, 303, 200, 200, 200, 200, 200], (c) => c.get('/ajax/login/guest')),
  row('GET /ajax/login/oauth',                                       [401, 303, 200, 200, 200, 200, 200], (c) => c.get('/ajax/login/oauth')),
  row('POST /ajax/logout/ · a fresh session of the caller',          [200, 303, 200, 200, 200, 200, 200], async (c) => (await c.renewed()).post('/ajax/logout/').send('')),
  row('POST /ajax/auth/refresh · a fresh session of the caller',     [401, 200, 200, 200, 200, 200, 200], async (c) => (await c.renewed()).post('/ajax/auth/refresh').send('')),
  row('POST /ajax/auth/email · called as /ajax/auth/email/',         [401, 303, 200, 409, 409, 409, 409], (c) => c.post('/ajax/auth/email/').send('')),
  row('GET /ajax/auth/email/waiting',                                [401, 303, 202, 200, 200, 200, 202], (c) => c.get('/ajax/auth/email/waiting')),
  row('GET /ajax/auth/email/verify · a freshly mailed link',         [200, 303, 200, 200, 200, 200, 200], async (c, f) => c.get(await verifyLink(f))),

  row('POST /ajax/register/ · a new account',                        [200, 303, 200, 200, 200, 200, 200], (c, f) => c.post('/ajax/register/').send(f.registration())),
  row('POST /ajax/register/id-exist',                                [200, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/register/id-exist').send({ id: cast.author.id })),
  row('POST /ajax/register/nick-exist',                              [200, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/register/nick-exist').send({ nick: 'someone' })),
  row('POST /ajax/register/email-exist',                             [200, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/register/email-exist').send({ email: 'a@b.com' })),
  row('POST /ajax/account/',                                         [401, 303, 200, 200, 200, 200, 200], (c) => c.post('/ajax/account/').send('')),
  row('POST /ajax/account/update · a new nick',                      [401, 303, 200, 200, 200, 200, 400], (c, f) => c.post('/ajax/account/update').send(nickChange(f))),

  row('POST /ajax/board/create',                                     [401, 303, 401, 200, 200, 200, 200], (c, f) => c.post('/ajax/board/create').send(newPost(f))),
  row('GET /ajax/board/list',                                        [200, 303, 200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/list?sid=${f.sid}&page=1`)),
  row('GET /ajax/board/read · a public post',                        [200, 303, 200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/read?bno=${f.posts.public}`)),
  row('GET /ajax/board/read · a nonpw post',                         [401, 303, 401, 401, 200, 200, 401], (c, f) => c.get(`/ajax/board/read?bno=${f.posts.nonpw}`)),
  row('GET /ajax/board/read · a coded post',                         [428, 303, 428, 428, 200, 200, 428], (c, f) => c.get(`/ajax/board/read?bno=${f.posts.coded}`)),
  row('GET /ajax/board/read-secret · the right code',                [200, 303, 200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/read-secret?bno=${f.posts.coded}&pw=${f.code}`)),
  row('GET /ajax/board/read-secret · a wrong code',                  [400, 303, 400, 400, 400, 400, 400], (c, f) => c.get(`/ajax/board/read-secret?bno=${f.posts.coded}&pw=zzzzzz`)),
  row('POST /ajax/board/update · a fresh post (bno as string)',      [401, 303, 401, 401, 200, 401, 401], async (c, f) => c.post('/ajax/board/update').send(await postEdit(f))),
  row('POST /ajax/board/delete · a fresh post, body "bno"',          [401, 303, 400, 400, 200, 200, 400], async (c, f) => c.post('/ajax/board/delete').send(json(String(await f.post())))),
  row('POST /ajax/board/recommend · a fresh public post',            [401, 303, 200, 200, 200, 200, 401], async (c, f) => c.post('/ajax/board/recommend').send(json(await f.post()))),
  row('POST /ajax/board/recommend · a fresh coded post',             [401, 303, 428, 428, 200, 200, 401], async (c, f) => c.post('/ajax/board/recommend').send(json(await f.post(f.code)))),

  row('POST /ajax/subject/regi · a new id',                          [401, 303, 400, 400, 400, 200, 400], (c, f) => c.post('/ajax/subject/regi').send(newSubject(f))),
  row('GET /ajax/subject/get',                                       [200, 303, 200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/subject/get?sid=${f.sid}`)),
  row('GET /ajax/subject/all',                                       [200, 303, 200, 200, 200, 200, 200], (c) => c.get('/ajax/subject/all')),
  row('POST /ajax/subject/update · a fresh subject of the author',   [401, 303, 400, 400, 200, 200, 400], async (c, f) => c.post('/ajax/subject/update').send(await subjectEdit(f))),
  row('POST /ajax/subject/delete · a fresh empty subject',           [401, 303, 400, 400, 400, 200, 400], async (c, f) => c.post(`/ajax/subject/delete?subject=${await f.subject()}`).send('')),

  row('GET /oauth2/authorization/:provider · google',                [302, 303, 302, 302, 302, 302, 302], (c) => c.get('/oauth2/authorization/google')),
  row('GET /login/oauth2/code/:provider · no state: the error page', [302, 303, 302, 302, 302, 302, 302], (c) => c.get('/login/oauth2/code/google?code=x&state=y')),

  row('GET /AJAX/SUBJECT/ALL (paths match case-insensitively)',      [200, 303, 200, 200, 200, 200, 200], (c) => c.get('/AJAX/SUBJECT/ALL'), 'GET /ajax/subject/all'),
  row('GET /ajax/board/list/ (one trailing slash: the same route)',  [200, 303, 200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/list/?sid=${f.sid}&page=1`), 'GET /ajax/board/list'),
  row('GET /ajax/board/create · a method the path has no route for', [401, 303, 404, 404, 404, 404, 404], (c) => c.get('/ajax/board/create'), null),
  row('GET /ajax/nothing · unmapped under /ajax (default deny)',     [401, 303, 404, 404, 404, 404, 404], (c) => c.get('/ajax/nothing'), null),
  row('GET /nothing · unmapped outside /ajax',                       [404, 303, 404, 404, 404, 404, 404], (c) => c.get('/nothing'), null),
];

/**
 * Every route that acts on something a guest owns, for a guest's posts and account: guest A (the matrix's
 * guest column, who wrote them) against guest B (another guest login), an anonymous visitor, a verified user
 * and an administrator. Guests are distinct people: B gets exactly what any other reader gets.
 */
type GuestStatuses = readonly [number, number, number, number, number];
const guestColumns = ['anonymous', 'guest A', 'guest B', 'verified', 'admin'] as const;
type GuestSend = (c: Caller, f: MatrixForum) => PromiseLike<request.Response>;
const guestRow = (label: string, expected: GuestStatuses, send: GuestSend) => ({ label, expected, send });
const guestPostEdit = async (f: MatrixForum) => ({ title: 'edited', content: '<p>edited</p>', pw: null, bno: String(await f.post(null, 'guest')) });

// prettier-ignore
const guestMatrix = [
  // route · guest A's post or account                       anon gstA gstB ver  adm
  guestRow('GET /ajax/board/read · a public post',            [200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/read?bno=${f.guestPosts.public}`)),
  guestRow('GET /ajax/board/read · a nonpw post',             [401, 200, 401, 401, 200], (c, f) => c.get(`/ajax/board/read?bno=${f.guestPosts.nonpw}`)),
  guestRow('GET /ajax/board/read · a coded post',             [428, 200, 428, 428, 200], (c, f) => c.get(`/ajax/board/read?bno=${f.guestPosts.coded}`)),
  guestRow('GET /ajax/board/read-secret · the right code',    [200, 200, 200, 200, 200], (c, f) => c.get(`/ajax/board/read-secret?bno=${f.guestPosts.coded}&pw=${f.code}`)),
  guestRow('GET /ajax/board/read-secret · a wrong code',      [400, 400, 400, 400, 400], (c, f) => c.get(`/ajax/board/read-secret?bno=${f.guestPosts.coded}&pw=zzzzzz`)),
  guestRow('POST /ajax/board/update · a fresh post',          [401, 200, 401, 401, 401], async (c, f) => c.post('/ajax/board/update').send(await guestPostEdit(f))),
  guestRow('POST /ajax/board/delete · a fresh post',          [401, 200, 400, 400, 200], async (c, f) => c.post('/ajax/board/delete').send(json(String(await f.post(null, 'guest'))))),
  guestRow('POST /ajax/board/recommend · a fresh post',       [401, 401, 401, 200, 200], async (c, f) => c.post('/ajax/board/recommend').send(json(await f.post(null, 'guest')))),
  guestRow('POST /ajax/account/ · whose account it answers',  [401, 200, 200, 200, 200], (c) => c.post('/ajax/account/').send('')),
  guestRow('POST /ajax/account/update · a new nick',          [401, 400, 400, 200, 200], (c, f) => c.post('/ajax/account/update').send(nickChange(f))),
];

// Health and `/` answer before CORS (a load balancer sends no Origin); every other answer must carry CORS
// headers, or the browser hides the status from the front end and reports a "CORS error".
const answeredBeforeCors = (path: string) => path === '/' || path.startsWith('/ajax/health');

for (const kind of databaseKinds) {
  describe(`The authorization matrix on ${kind}`, () => {
    let forum: MatrixForum;
    before(async () => {
      forum = await MatrixForum.start(kind);
    });
    after(() => forum?.close());

    it('When a route is mounted, then the matrix has a row for it, and every row names a mounted route', () => {
      const declared = forum.t.app.locals.routes.map(({ method, path }) => `${method.toUpperCase()} ${path}`);
      const mounted = [...new Set([...declared, ...mountedRoutes(forum.t.app.router).map(({ method, path }) => `${method.toUpperCase()} ${path}`)])];
      const covered = new Set(matrix.map(({ route }) => route));
      assert.deepEqual(mounted.filter((route) => !covered.has(route)), [], 'routes without a row');
      assert.deepEqual([...covered].filter((route) => route !== null && !mounted.includes(route)), [], 'rows of routes that are not mounted');
    });

    for (const { label, expected, send } of guestMatrix) {
      it(`When ${label} of guest A is called by ${guestColumns.join(', ')}, then ${expected.join(' ')}`, async () => {
        const callers = [forum.callers.get('anonymous')!, forum.callers.get('guest')!, forum.guestB, forum.callers.get('verified')!, forum.callers.get('admin')!];
        const actual: Record<string, number> = {};
        for (const [index, caller] of callers.entries()) {
          const res = await send(caller, forum);
          actual[guestColumns[index]!] = res.status;
          assert.equal(res.headers['access-control-allow-origin'], frontOrigin, `${label} as ${guestColumns[index]}: no CORS headers`);
        }
        assert.deepEqual(actual, Object.fromEntries(guestColumns.map((name, index) => [name, expected[index]])));
      });
    }

    it("When guest B reads guest A's coded post with the code, or asks for its account, then B is not told A's code nor given A's account", async () => {
      const opened = await forum.guestB.get(`/ajax/board/read-secret?bno=${forum.guestPosts.coded}&pw=${forum.code}`);
      assert.deepEqual([opened.body.user_id, opened.body.pw], [null, 'pw']);
      const [a, b] = [await forum.callers.get('guest')!.post('/ajax/account/').send(''), await forum.guestB.post('/ajax/account/').send('')];
      assert.notEqual(a.body.id, b.body.id);
    });

    for (const { label, expected, send } of matrix) {
      it(`When ${label} is called by each caller, then ${expected.join(' ')}`, async () => {
        const actual: Partial<Record<CallerName, number>> = {};
        for (const name of callerNames) {
          const res = await send(forum.callers.get(name) ?? assert.fail(name), forum);
          actual[name] = res.status;
          if (answeredBeforeCors(label.split(' ')[1]!)) continue;
          assert.equal(res.headers['access-control-allow-origin'], frontOrigin, `${label} as ${name}: no CORS headers on ${res.status}`);
        }
        assert.deepEqual(actual, Object.fromEntries(callerNames.map((name, index) => [name, expected[index]])));
      });
    }
  });
}
