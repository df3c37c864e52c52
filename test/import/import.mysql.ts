import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { ImportSummary } from '../../src/import/report.ts';
import { databaseKinds, startTestApp, type TestApp } from '../helpers/app.ts';
import { asFrontEnd, postRaw } from '../helpers/forum.ts';
import { createOriginalForum, type OriginalForum } from './original-forum.ts';
import { fillOriginalForum, hashedUserCount, originalUsers } from './original-rows.ts';
import { importSummary, importTarget, rowCounts, type ImportTarget } from './run-import.ts';

const notesOf = (summary: ImportSummary, kind: string) => summary.notes.filter((note) => note.kind === kind).map((note) => note.row);

for (const kind of databaseKinds) {
  describe(`npm run import from the original MariaDB into ${kind}`, () => {
    let forum: OriginalForum;
    let target: ImportTarget;
    let dryRun: ImportSummary;
    let summary: ImportSummary;
    let t: TestApp | undefined;
    before(async () => {
      forum = await createOriginalForum();
      target = await importTarget(kind);
      await fillOriginalForum(forum);
      dryRun = await importSummary(['--from', forum.url, '--dry-run'], target);
      summary = await importSummary(['--from', forum.url], target);
      t = await startTestApp(kind, { env: target.env });
    });
    after(async () => {
      await t?.close();
      await target?.drop();
      await forum?.drop();
    });

    const app = () => t!.app;
    const login = async (user: { id: string; pw: string }) => asFrontEnd(request(app()).post('/ajax/login/')).send({ id: user.id, pw: user.pw });
    const tokenOf = async (user: { id: string; pw: string }) => (await login(user)).headers.authorization ?? assert.fail(`no token for ${user.id}`);
    const read = (bno: number, token = '') => asFrontEnd(request(app()).get(`/ajax/board/read?bno=${bno}`), token);

    it('When the dry run reports, then it predicts the real run and writes nothing', () => {
      assert.equal(dryRun.outcome, 'dry-run');
      assert.deepEqual(dryRun.tables, summary.tables);
      assert.equal(dryRun.passwords.hashed, 0);
      assert.equal(dryRun.passwords.toHash, hashedUserCount);
    });

    it('When the original forum is imported, then every row is written or skipped with its reason', () => {
      assert.equal(summary.outcome, 'imported');
      assert.deepEqual(summary.tables, {
        user: { read: 7, written: 6, skipped: { 'built-in guest kept': 1 } },
        subject: { read: 2, written: 2, skipped: {} },
        board: { read: 9, written: 9, skipped: {} },
        recommend: { read: 6, written: 4, skipped: { duplicate: 1, 'post missing': 1 } },
      });
      assert.deepEqual(summary.placeholders, { user: 2, subject: 1 });
      assert.equal(summary.passwords.hashed, hashedUserCount);
      assert.deepEqual(summary.sequences, { nextBno: 11, nextRno: 7 });
    });

    it('When posts or descriptions needed the sanitizer, then the summary lists them (never silently altered)', () => {
      assert.deepEqual(notesOf(summary, 'sanitized'), ['board bno=6', "subject 'free'"]);
      assert.deepEqual(notesOf(summary, 'counter-corrected'), ['board bno=3', 'board bno=7']);
      assert.deepEqual(notesOf(summary, 'duplicate-recommend'), ['recommend rno=3']);
      assert.deepEqual(notesOf(summary, 'btotal-raised'), ["subject 'notice'"]);
      assert.deepEqual(notesOf(summary, 'nick-renamed'), ["user 'dave777'", "user 'bob123'"]);
      assert.deepEqual(notesOf(summary, 'email-cleared'), ["user 'bob123'"]);
    });

    it('When source text holds NUL and other C0 controls, then the import removes them, notes each row, and reads back clean', async () => {
      const removed = summary.notes.filter((note) => note.kind === 'controls-removed').map(({ row, detail }) => [row, detail]);
      assert.deepEqual(removed, [
        ["subject 'notice'", 'title: 1 removed (U+0000)'],
        ['board bno=9', 'title: 1 removed (U+0000); content: 2 removed (U+0000, U+001B)'],
      ]);
      const post = await read(9);
      assert.deepEqual([post.status, post.body.title, post.body.content], [200, 'author gone', '<p>whose?</p>\t\n']);
      assert.equal((await asFrontEnd(request(app()).get('/ajax/subject/get?sid=notice'))).body.title, '공지사항');
    });

    it('When an imported user logs in with the original plaintext password, then 200, the user JSON and a token', async () => {
      const { alice, admin } = originalUsers;
      const res = await login(alice);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { id: alice.id, nick: alice.nick, email: alice.email, auth: 2 });
      assert.ok(res.headers.authorization);
      assert.equal((await login(admin)).body.auth, 3, 'an imported admin stays admin');
      const stored = await t!.database.db.selectFrom('user').select('pw').where('id', '=', alice.id).executeTakeFirstOrThrow();
      assert.match(stored.pw ?? '', /^scrypt\$1\$/, 'the password is stored hashed, never as it was');
    });

    it('When an OAuth account or the original guest row tries a password, then 401 (OAuth-only, the built-in guest has none)', async () => {
      assert.equal((await login(originalUsers.oauth)).status, 401);
      assert.equal((await login(originalUsers.guest)).status, 401);
      const oauth = await t!.database.db.selectFrom('user').select(['pw', 'auth']).where('id', '=', originalUsers.oauth.id).executeTakeFirstOrThrow();
      assert.deepEqual(oauth, { pw: null, auth: 2 });
    });

    it('When nicks and addresses collided case-insensitively, then the loser was renamed or lost the address', async () => {
      const rows = await t!.database.db.selectFrom('user').select(['id', 'nick', 'email']).where('id', 'in', ['bob123', 'carol99', 'dave777', 'ghost42']).orderBy('id').execute();
      assert.deepEqual(rows, [
        { id: 'bob123', nick: 'Bobby_2', email: null },
        { id: 'carol99', nick: 'bobby', email: 'carol@example.com' },
        { id: 'dave777', nick: 'GUEST_2', email: 'dave@example.com' },
        { id: 'ghost42', nick: 'Ghost', email: null },
      ]);
      assert.equal((await login(originalUsers.bob)).status, 200, 'a renamed account still signs in');
    });

    it('When an imported post is read, then its Korean HTML, counters and Seoul date come back as the original showed them', async () => {
      const res = await read(1);
      assert.equal(res.status, 200);
      assert.equal(res.body.content, '<p>안녕하세요, <b>반가워요</b></p>');
      assert.deepEqual([res.body.writer, res.body.view, res.body.recommend, res.body.reg_date], ['앨리스짱짱', 10, 2, '2023-05-01 09:30:00']);
      const stored = await t!.database.db.selectFrom('board').select('reg_date').where('bno', '=', 1).executeTakeFirstOrThrow();
      assert.equal(stored.reg_date.toISOString(), '2023-05-01T00:30:00.000Z');
    });

    it('When secret and deleted posts are read, then the secret-post rules hold (nonpw, upper-case code, 404)', async () => {
      assert.equal((await read(2)).status, 401);
      const own = await read(2, await tokenOf(originalUsers.bob));
      assert.deepEqual([own.status, own.body.pw, own.body.user_id], [200, 'nonpw', 'id']);
      assert.equal((await read(3)).status, 428);
      const opened = await asFrontEnd(request(app()).get('/ajax/board/read-secret?bno=3&pw=AbC123'));
      assert.deepEqual([opened.status, opened.body.update_date], [200, '2023-06-01 12:00:00']);
      assert.equal((await read(5)).status, 404);
      const cleaned = await read(6);
      assert.equal(cleaned.body.content, '<p>ok</p><img src="x" />');
    });

    it('When a board is listed, then its live posts come in s_bno order with the total, placeholders included', async () => {
      const res = await asFrontEnd(request(app()).get('/ajax/board/list?sid=free&page=1'));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.map((item: { s_bno: number }) => item.s_bno), [0, 1, 2, 4, 5]);
      assert.equal(res.headers['x-total-count'], '5');
      const old = await asFrontEnd(request(app()).get('/ajax/subject/get?sid=oldboard'));
      assert.deepEqual([old.status, old.body.title], [200, 'oldboard']);
      const free = await asFrontEnd(request(app()).get('/ajax/subject/get?sid=free'));
      assert.equal(free.body.description, '<p>아무 이야기</p>');
    });

    it('When counters are read, then recommend follows the recommendation rows (duplicates and orphans left out)', async () => {
      const counters = await t!.database.db.selectFrom('board').select(['bno', 'recommend']).where('bno', 'in', [1, 3, 7]).orderBy('bno').execute();
      assert.deepEqual(counters, [{ bno: 1, recommend: 2 }, { bno: 3, recommend: 1 }, { bno: 7, recommend: 1 }]);
    });

    it('When someone posts and recommends after the import, then the numbers continue past the imported ones', async () => {
      const admin = await tokenOf(originalUsers.admin);
      const created = await asFrontEnd(request(app()).post('/ajax/board/create'), admin).send({ sid: 'notice', title: 'new', content: '<p>after</p>', pw: null });
      assert.deepEqual([created.status, created.body], [200, 11]);
      const post = await t!.database.db.selectFrom('board').select(['s_bno']).where('bno', '=', 11).executeTakeFirstOrThrow();
      assert.equal(post.s_bno, 3, 'btotal was raised past the highest imported s_bno (2)');
      assert.equal((await postRaw(t!, '/ajax/board/recommend', await tokenOf(originalUsers.carol), '11')).status, 200);
      const recommend = await t!.database.db.selectFrom('recommend').select('rno').where('bno', '=', 11).executeTakeFirstOrThrow();
      assert.equal(recommend.rno, 7);
    });

    it('When the import runs a second time, then it imports nothing new, says so, and leaves the live data alone', async () => {
      const before = await rowCounts(t!.database.db);
      await t!.close();
      t = undefined;
      const again = await importSummary(['--from', forum.url], target);
      assert.equal(again.outcome, 'nothing-new');
      for (const table of ['user', 'subject', 'board', 'recommend'] as const) assert.equal(again.tables[table].written, 0, table);
      t = await startTestApp(kind, { env: target.env });
      assert.deepEqual(await rowCounts(t.database.db), before);
      const views = await t.database.db.selectFrom('board').select('view').where('bno', '=', 1).executeTakeFirstOrThrow();
      assert.equal(views.view, 11, 'the view counted after the import is kept');
    });
  });
}
