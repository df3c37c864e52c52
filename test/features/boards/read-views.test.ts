import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../../../src/config.ts';
import { prepareDatabase } from '../../../src/db/index.ts';
import { createPostgresSchema, databaseKinds, testSecret, type TestApp } from '../../helpers/app.ts';
import { asFrontEnd, boardRow, concurrently, startForum, writePost } from '../../helpers/forum.ts';
import { spawnServer } from '../../helpers/server-process.ts';

// Longer than any test: only a write through this instance, or the stop, moves anything to the database.
const batched = { BOARD_VIEW_FLUSH_MS: '600000', BOARD_POST_CACHE_MS: '600000' };

for (const kind of databaseKinds) {
  describe(`Batched view counts and cached posts of GET /ajax/board/read on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let readTogether = 0;
    before(async () => {
      ({ t, alice } = await startForum(kind, { env: batched }));
    });
    after(() => t.close());

    const read = (bno: number) => asFrontEnd(request(t.app).get(`/ajax/board/read?bno=${bno}`));
    const addViewsElsewhere = (bno: number, views: number) =>
      t.database.db.updateTable('board').set((eb) => ({ view: eb('view', '+', views) })).where('bno', '=', bno).execute();

    it('When 20 readers open a post at once, then each is shown a different count and they wait in memory', async () => {
      const bno = (readTogether = await writePost(t, alice, { sid: 'free' }));
      const statuses: number[] = [];
      const shown: number[] = [];
      await concurrently(t, 20, async (baseUrl) => {
        const res = await fetch(`${baseUrl}/ajax/board/read?bno=${bno}`, { headers: { Origin: 'https://yongheonn.com' } });
        statuses.push(res.status);
        shown.push(((await res.clone().json()) as { view: number }).view);
        return res;
      });
      assert.deepEqual(statuses, Array(20).fill(200));
      assert.deepEqual(shown.sort((a, b) => a - b), Array.from({ length: 20 }, (_, index) => index));
      assert.equal((await boardRow(t, bno)).view, 0, 'counted in memory, not yet written');
    });

    it('When the server stops, then every view counted is added to the database, to what another instance added meanwhile', async () => {
      const bno = await writePost(t, alice, { sid: 'free' });
      for (let index = 0; index < 3; index++) assert.equal((await read(bno)).status, 200);
      await addViewsElsewhere(bno, 100);
      // The stop's close step: src/server.ts runs lifecycle.close() once the listener is closed.
      await t.lifecycle.close();
      assert.equal((await boardRow(t, bno)).view, 103);
      assert.equal((await boardRow(t, readTogether)).view, 20);
    });

    it('When the post is edited through this instance, then the next read shows the edit at once, with the views counted so far', async () => {
      const bno = await writePost(t, alice, { sid: 'free', title: 'before' });
      assert.equal((await read(bno)).body.view, 0);
      const edit = await asFrontEnd(request(t.app).post('/ajax/board/update'), alice).send({ bno, title: 'after', content: '<p>x</p>', pw: null });
      assert.equal(edit.status, 200);
      const res = await read(bno);
      assert.deepEqual([res.body.title, res.body.view], ['after', 1]);
    });

    it('When the post is deleted through this instance, then the next read is 404 at once', async () => {
      const bno = await writePost(t, alice, { sid: 'free' });
      assert.equal((await read(bno)).status, 200);
      const res = await asFrontEnd(request(t.app).post('/ajax/board/delete'), alice).send(String(bno));
      assert.equal(res.status, 200);
      assert.equal((await read(bno)).status, 404);
    });
  });
}

describe('Stopping the server writes the views it counted', () => {
  let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
  before(async () => {
    schema = await createPostgresSchema();
  });
  after(() => schema.drop());

  it('When the server gets SIGTERM with views counted in memory, then they are in the database once it has exited', async () => {
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: testSecret, DATABASE_URL: schema.url });
    const { database, probe } = await prepareDatabase(config.database, pino({ level: 'silent' }));
    probe.stop();
    const viewsOf = async () => (await database.db.selectFrom('board').select('view').where('bno', '=', bno).executeTakeFirstOrThrow()).view;
    let bno = 0;
    try {
      await database.db.insertInto('user').values({ id: 'alice1', nick: 'alice', auth: 2 }).execute();
      await database.db.insertInto('subject').values({ id: 'free', title: 'free', description: '', admin: 'admin' }).execute();
      ({ bno } = await database.db
        .insertInto('board')
        .values({ sid: 'free', s_bno: 0, user_id: 'alice1', writer: 'alice', title: 't', content: '<p>x</p>', pw: null, view: 7 })
        .returning('bno')
        .executeTakeFirstOrThrow());
      const server = await spawnServer({ DATABASE_URL: schema.url, ...batched });
      try {
        for (let index = 0; index < 25; index++) {
          const res = await fetch(`http://127.0.0.1:${server.port}/ajax/board/read?bno=${bno}`);
          assert.equal(((await res.json()) as { view: number }).view, 7 + index);
        }
        assert.equal(await viewsOf(), 7, 'counted in memory while serving');
      } finally {
        server.kill('SIGTERM');
      }
      assert.equal((await server.exited).code, 0);
      assert.equal(await viewsOf(), 32);
    } finally {
      await database.close();
    }
  });
});
