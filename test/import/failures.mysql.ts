import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { databaseKinds } from '../helpers/app.ts';
import { createOriginalForum, mariadbUrl, type OriginalForum } from './original-forum.ts';
import { importSummary, importTarget, rowCounts, runImportCli, withTargetDb, type ImportTarget } from './run-import.ts';

const withDatabase = (url: string, database: string, change: (url: URL) => void = () => undefined) => {
  const next = new URL(url);
  next.pathname = `/${database}`;
  change(next);
  return next.toString();
};

for (const kind of databaseKinds) {
  describe(`npm run import refusing bad input, into ${kind}`, () => {
    let forum: OriginalForum;
    let target: ImportTarget;
    let untouched: Record<string, number>;
    before(async () => {
      forum = await createOriginalForum();
      target = await importTarget(kind);
      untouched = await withTargetDb(target, rowCounts);
      await forum.query("INSERT INTO `user` VALUES ('alice01', 'alicePass1!', 'alice', 'alice@example.com', 2)");
      await forum.query("INSERT INTO subject VALUES ('free', 'free', '', 'alice01', 1)");
      await forum.query("INSERT INTO board (bno, sid, s_bno, user_id, writer, title, content) VALUES (1, 'free', 0, 'alice01', 'alice', 'hello', '<p>hi</p>')");
    });
    after(async () => {
      await target?.drop();
      await forum?.drop();
    });

    const assertNothingWritten = async () => assert.deepEqual(await withTargetDb(target, rowCounts), untouched);

    it('When the password is wrong, then exit 1 naming the user, and nothing is written', async () => {
      const result = await runImportCli(['--from', withDatabase(mariadbUrl, forum.database, (url) => (url.password = 'wrong'))], target);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /refused user 'root': wrong user name or password/);
      assert.match(result.stdout, /Nothing was written/);
      assert.doesNotMatch(result.stdout + result.stderr, /wrong@/, 'the password is never printed');
      await assertNothingWritten();
    });

    it('When the host does not answer, then exit 1 naming host and port', async () => {
      const result = await runImportCli(['--from', `mysql://root@127.0.0.1:1/${forum.database}`], target);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /cannot connect to MySQL at 127\.0\.0\.1:1: connection refused/);
      await assertNothingWritten();
    });

    it('When a table is missing, then exit 1 naming it', async () => {
      await forum.query('RENAME TABLE recommend TO recommend_gone');
      try {
        const result = await runImportCli(['--from', forum.url], target);
        assert.equal(result.code, 1);
        assert.match(result.stdout, /table `recommend` is missing from MySQL database/);
      } finally {
        await forum.query('RENAME TABLE recommend_gone TO recommend');
      }
      await assertNothingWritten();
    });

    it('When rows break our constraints, then exit 1 naming every such row, and nothing is written (not even the good rows)', async () => {
      await forum.query("INSERT INTO `user` VALUES ('mallory', 'malloryPass1', 'mallory', 'm@example.com', 9)");
      await forum.query("INSERT INTO board (bno, sid, s_bno, user_id, title, content, pw) VALUES (2, 'free', 1, 'alice01', 'bad', '', 'ab cd!')");
      try {
        const summary = await importSummary(['--from', forum.url], target, 1);
        assert.equal(summary.outcome, 'refused');
        assert.deepEqual(summary.problems, [
          { row: 'board bno=2', message: "pw (6 characters) is neither NULL, 'nonpw' nor a 6-letter/digit code" },
          { row: "user 'mallory'", message: 'auth is 9; only 0 (guest) … 3 (admin) exist' },
        ]);
        assert.equal(summary.passwords.hashed, 0, 'nothing is hashed before everything checked out');
      } finally {
        await forum.query("DELETE FROM `user` WHERE id = 'mallory'");
        await forum.query('DELETE FROM board WHERE bno = 2');
      }
      await assertNothingWritten();
    });

    it('When the target already holds another post under an imported number, then exit 1 naming it', async () => {
      await withTargetDb(target, async (db) => {
        await db.insertInto('subject').values({ id: 'other', title: 'other', admin: 'guest' }).execute();
        await db.insertInto('board').values({ bno: 1, sid: 'other', s_bno: 0, user_id: 'guest', title: 'native', content: '' }).execute();
      });
      const conflicted = await withTargetDb(target, rowCounts);
      const summary = await importSummary(['--from', forum.url], target, 1);
      assert.match(summary.problems.map((problem) => `${problem.row}: ${problem.message}`).join('\n'), /board bno=1: bno 1 is already used in the target by another post/);
      assert.deepEqual(await withTargetDb(target, rowCounts), conflicted);
      await withTargetDb(target, async (db) => {
        await db.deleteFrom('board').where('bno', '=', 1).execute();
        await db.deleteFrom('subject').where('id', '=', 'other').execute();
      });
    });

    it('When the target database fails in a late batch, then exit 1 naming the table, and the earlier batches are gone too', async () => {
      await forum.query("INSERT INTO board (bno, sid, s_bno, user_id, title, content) VALUES (2, 'free', 1, 'alice01', 'two', ''), (3, 'free', 2, 'alice01', 'three', '')");
      // Stands in for whatever the checks cannot foresee (a full disk, a lost connection): the third post fails.
      await withTargetDb(target, async (db) => {
        await sql`create function refuse_third_post() returns trigger language plpgsql as $$ begin
                    if new.bno = 3 then raise exception 'refused by the test'; end if; return new; end $$`.execute(db);
        await sql`create trigger refuse_third_post before insert on board for each row execute function refuse_third_post()`.execute(db);
      });
      try {
        const summary = await importSummary(['--from', forum.url, '--batch-size', '1'], target, 1);
        assert.equal(summary.outcome, 'failed');
        assert.match(summary.error ?? '', /failed writing board bno=3: refused by the test.*rolled back: nothing was written/);
        await assertNothingWritten();
      } finally {
        await withTargetDb(target, async (db) => {
          await sql`drop trigger refuse_third_post on board`.execute(db);
          await sql`drop function refuse_third_post()`.execute(db);
        });
        await forum.query('DELETE FROM board WHERE bno IN (2, 3)');
      }
    });

    it('When the command line is wrong, then exit 2 with the usage; --help prints it and exits 0', async () => {
      const missing = await runImportCli([], target);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--from is required/);
      assert.match((await runImportCli(['--from', 'postgres://x/y'], target)).stderr, /--from must be mysql:\/\//);
      assert.match((await runImportCli(['--from', forum.url, '--source-time-zone', 'Mars/Olympus'], target)).stderr, /IANA time zone/);
      const help = await runImportCli(['--help'], target);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--source-time-zone <zone>/);
    });
  });
}
