import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../../helpers/app.ts';

for (const kind of databaseKinds) {
  describe(`GET /ajax/subject/all on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await t.database.db.deleteFrom('subject').execute();
      await t.database.db
        .insertInto('subject')
        .values([
          { id: 'free', title: '자유게시판', description: '<p>free talk</p>', admin: 'admin', btotal: 12 },
          { id: 'dev', title: 'Development', description: '', admin: 'alice1' },
        ])
        .execute();
    });
    after(() => t.close());

    it('When the front end lists subjects, then it gets every subject with the five original keys in id order', async () => {
      const res = await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin).set('Authorization', '').set('Accept', 'application/json');
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /application\/json/);
      assert.equal(res.text, JSON.stringify([
        { id: 'dev', title: 'Development', description: '', admin: 'alice1', btotal: 0 },
        { id: 'free', title: '자유게시판', description: '<p>free talk</p>', admin: 'admin', btotal: 0 },
      ]));
    });

    it('When there are no subjects, then it gets an empty array', async () => {
      await t.database.db.deleteFrom('subject').execute();
      const res = await request(t.app).get('/ajax/subject/all');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, []);
    });
  });
}

describe('Seeding the embedded database', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  it('When the embedded database starts empty, then a few subjects are seeded', async () => {
    const res = await request(t.app).get('/ajax/subject/all');
    assert.ok(res.body.length >= 3);
  });
});
