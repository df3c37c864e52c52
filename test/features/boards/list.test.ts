import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';
import { addSubject, addUser, asFrontEnd } from '../../helpers/forum.ts';

const boardKeys = ['bno', 'sid', 's_bno', 'user_id', 'writer', 'title', 'content', 'view', 'recommend', 'reg_date', 'update_date', 'pw', 'deleted'];

for (const kind of databaseKinds) {
  describe(`GET /ajax/board/list on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await addUser(t, 'alice1', 2, 'alice');
      await addSubject(t, 'big');
      // 65 posts, s_bno 0–64, inserted directly: this test is about reading them back.
      await t.database.db
        .insertInto('board')
        .values(
          Array.from({ length: 65 }, (_, sBno) => ({
            sid: 'big',
            s_bno: sBno,
            user_id: 'alice1',
            writer: 'alice',
            title: `post ${sBno}`,
            content: '<p>secret content</p>',
            pw: sBno === 64 ? 'nonpw' : sBno === 63 ? 'AbC123' : null,
            view: sBno,
            recommend: 1,
            reg_date: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)),
          })),
        )
        .execute();
      await t.database.db.updateTable('subject').set({ btotal: 65 }).where('id', '=', 'big').execute();
    });
    after(() => t.close());

    const list = (query: string) => asFrontEnd(request(t.app).get(`/ajax/board/list?${query}`));
    const sBnos = (res: request.Response) => res.body.map((item: { s_bno: number }) => item.s_bno);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

    it('When §5.22 page 1 has 30 rows, then they are the newest 30 in ascending s_bno (the original gave 29)', async () => {
      const res = await list('sid=big&page=1');
      assert.equal(res.status, 200);
      assert.deepEqual(sBnos(res), range(35, 64));
    });

    it('When later pages are read, then they continue without gap or overlap down to the oldest post', async () => {
      assert.deepEqual(sBnos(await list('sid=big&page=2')), range(5, 34));
      assert.deepEqual(sBnos(await list('sid=big&page=3')), range(0, 4));
      assert.deepEqual((await list('sid=big&page=4')).body, []);
    });

    it('When the list is read, then the total of live posts is in X-Total-Count, exposed to the browser', async () => {
      const res = await list('sid=big&page=1');
      assert.equal(res.headers['x-total-count'], '65');
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.match(res.headers['access-control-expose-headers'] ?? '', /X-Total-Count/i);
    });

    it('When an entry is listed, then it has the 13 Board keys in order, the unselected ones null and secrets masked as "pw"', async () => {
      const res = await list('sid=big&page=1');
      for (const item of res.body) assert.deepEqual(Object.keys(item), boardKeys);
      const [newest, coded, plain] = [res.body[29], res.body[28], res.body[27]];
      assert.deepEqual(newest, {
        bno: newest.bno,
        sid: null,
        s_bno: 64,
        user_id: null,
        writer: 'alice',
        title: 'post 64',
        content: null,
        view: 64,
        recommend: 1,
        reg_date: '2024-01-03 00:04:05',
        update_date: null,
        pw: 'pw',
        deleted: null,
      });
      assert.equal(coded.pw, 'pw');
      assert.equal(plain.pw, null);
    });

    it('When posts are deleted, then §5.22 pages neither overlap nor skip live posts and the total drops', async () => {
      const deleted = [64, 50, 36, 20];
      await t.database.db.updateTable('board').set({ deleted: true }).where('sid', '=', 'big').where('s_bno', 'in', deleted).execute();
      const pages = [];
      for (let page = 1; page <= 3; page++) pages.push(...sBnos(await list(`sid=big&page=${page}`)));
      assert.deepEqual(pages.sort((a, b) => a - b), range(0, 64).filter((sBno) => !deleted.includes(sBno)));
      assert.equal((await list('sid=big&page=1')).headers['x-total-count'], '61');
      await t.database.db.updateTable('board').set({ deleted: false }).where('sid', '=', 'big').execute();
    });

    it('When the subject does not exist, then an empty array and a total of 0, as the original', async () => {
      const res = await list('sid=nothing&page=1');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, []);
      assert.equal(res.headers['x-total-count'], '0');
    });

    for (const query of ['sid=big&page=0', 'sid=big&page=-1', 'sid=big&page=x', 'sid=big&page=1.5', 'sid=big']) {
      it(`When the page is invalid (${query}), then 400 naming page (the original answered an empty page)`, async () => {
        const res = await list(query);
        assert.equal(res.status, 400);
        assert.deepEqual(res.body.error.fields.map((problem: { field: string }) => problem.field), ['page']);
      });
    }

    it('When sid is missing, then 400 naming sid', async () => {
      const res = await list('page=1');
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'sid');
    });
  });
}

describe('Post dates in another APP_TIME_ZONE', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite', { env: { APP_TIME_ZONE: 'UTC' } });
    await addUser(t, 'alice1');
    await addSubject(t, 'utc');
    await t.database.db
      .insertInto('board')
      .values({ sid: 'utc', s_bno: 0, user_id: 'alice1', title: 't', content: '', reg_date: new Date(Date.UTC(2024, 0, 2, 15, 4, 5)) })
      .execute();
  });
  after(() => t.close());

  it('When APP_TIME_ZONE is UTC, then reg_date is written in UTC', async () => {
    const res = await request(t.app).get('/ajax/board/list?sid=utc&page=1');
    assert.equal(res.body[0].reg_date, '2024-01-02 15:04:05');
  });
});
