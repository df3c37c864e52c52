import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, startTestApp } from '../helpers/app.ts';
import { asFrontEnd } from '../helpers/forum.ts';
import { createOriginalForum, type OriginalForum } from './original-forum.ts';
import { importSummary, importTarget, withTargetDb, type ImportTarget } from './run-import.ts';

/** One OAuth account (nothing to hash), the subjects free and notice, and one post. */
async function fillSmallForum(forum: OriginalForum): Promise<void> {
  await forum.query("INSERT INTO `user` VALUES ('id_0123456789abcde', 'oauth', 'user_0123456789abcde', 'o@example.com', 2)");
  await forum.query("INSERT INTO subject VALUES ('free', '자유', '<p>original</p>', 'id_0123456789abcde', 1), ('notice', '알림', '', 'id_0123456789abcde', 0)");
}

for (const kind of databaseKinds) {
  describe(`npm run import with TIMESTAMP date columns, into ${kind}`, () => {
    let forum: OriginalForum;
    let target: ImportTarget;
    before(async () => {
      forum = await createOriginalForum();
      target = await importTarget(kind);
      await fillSmallForum(forum);
      await forum.query('ALTER TABLE board MODIFY reg_date TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP');
      // The session zone decides which instant a TIMESTAMP literal means; update_date stays DATETIME (wall-clock).
      await forum.query("SET time_zone = '+09:00'");
      await forum.query(
        "INSERT INTO board (bno, sid, s_bno, user_id, title, content, reg_date, update_date) VALUES (1, 'free', 0, 'id_0123456789abcde', 't', '', '2023-05-01 09:30:00', '2023-07-01 12:00:00')",
      );
    });
    after(async () => {
      await target?.drop();
      await forum?.drop();
    });

    it('When reg_date is TIMESTAMP, then it is read as the instant it holds, and DATETIME in --source-time-zone', async () => {
      const summary = await importSummary(['--from', forum.url, '--source-time-zone', 'America/New_York'], target);
      assert.deepEqual(summary.dates, [
        'board.reg_date: TIMESTAMP, read as an instant',
        'board.update_date: DATETIME, read as wall-clock time in America/New_York',
      ]);
      const post = await withTargetDb(target, (db) => db.selectFrom('board').select(['reg_date', 'update_date']).where('bno', '=', 1).executeTakeFirstOrThrow());
      assert.equal(post.reg_date.toISOString(), '2023-05-01T00:30:00.000Z');
      assert.equal(post.update_date?.toISOString(), '2023-07-01T16:00:00.000Z', 'noon in New York is 16:00 UTC in summer (EDT)');
    });
  });
}

describe('npm run import into an embedded database the server has already started once', () => {
  let forum: OriginalForum;
  let target: ImportTarget;
  before(async () => {
    forum = await createOriginalForum();
    target = await importTarget('pglite');
    await fillSmallForum(forum);
    const seeded = await startTestApp('pglite', { env: target.env });
    await seeded.close();
  });
  after(async () => {
    await target?.drop();
    await forum?.drop();
  });

  it("When the sample subjects are untouched, then the original's subjects of the same ids replace them, and the others stay", async () => {
    const summary = await importSummary(['--from', forum.url], target);
    assert.deepEqual(
      summary.notes.filter((note) => note.kind === 'seed-replaced').map((note) => note.row),
      ["subject 'free'", "subject 'notice'"],
    );
    assert.equal(summary.tables.subject.written, 2);
    const t = await startTestApp('pglite', { env: target.env });
    try {
      const all = await asFrontEnd(request(t.app).get('/ajax/subject/all'));
      assert.deepEqual(all.body.map((subject: { id: string; title: string }) => [subject.id, subject.title]), [['dev', '개발'], ['free', '자유'], ['notice', '알림']]);
    } finally {
      await t.close();
    }
  });
});
