import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseKinds, type TestApp } from '../../helpers/app.ts';
import { addUser, boardRow, concurrently, postRaw, startForum, writePost } from '../../helpers/forum.ts';

for (const kind of databaseKinds) {
  describe(`POST /ajax/board/recommend on ${kind}`, () => {
    let t: TestApp;
    let alice: string;
    let bob: string;
    let admin: string;
    let guest: string;
    before(async () => {
      ({ t, alice, bob, admin, guest } = await startForum(kind));
    });
    after(() => t.close());

    const write = (pw: string | null = null) => writePost(t, alice, { sid: 'free', pw });
    // The front end sends the post number from its URL as the whole body: 57.
    const recommend = (token: string, bno: number | string) => postRaw(t, '/ajax/board/recommend', token, String(bno));
    const recommendRows = (bno: number) => t.database.db.selectFrom('recommend').selectAll().where('bno', '=', bno).execute();

    it('When a reader recommends a post, then 200 empty and the counter goes up; a second time, then 400', async () => {
      const bno = await write();
      const first = await recommend(bob, bno);
      assert.equal(first.status, 200);
      assert.equal(first.text, '');
      assert.equal((await boardRow(t, bno)).recommend, 1);
      const again = await recommend(bob, bno);
      assert.equal(again.status, 400);
      assert.equal(again.body.error.code, 'ALREADY_RECOMMENDED');
      assert.equal((await boardRow(t, bno)).recommend, 1);
    });

    it('When the body is the number as a JSON string, then it is accepted too', async () => {
      const bno = await write();
      assert.equal((await recommend(bob, JSON.stringify(String(bno)))).status, 200);
    });

    it('When §5.24 concurrent recommends count once, then 10 simultaneous clicks by one account give one 200 and a count of 1', async () => {
      const bno = await write();
      const statuses = await concurrently(t, 10, (baseUrl) =>
        fetch(`${baseUrl}/ajax/board/recommend`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: bob }, body: String(bno) }),
      );
      assert.deepEqual(statuses.sort(), [200, ...Array(9).fill(400)]);
      assert.equal((await boardRow(t, bno)).recommend, 1);
      assert.equal((await recommendRows(bno)).length, 1);
    });

    it('When 8 accounts recommend at the same moment, then none is lost: the count is 8', async () => {
      const bno = await write();
      const tokens = await Promise.all(Array.from({ length: 8 }, (_, index) => addUser(t, `fan${index}_${kind}`, 2, `fan${index}${kind}`)));
      const statuses = await concurrently(t, 8, (baseUrl, index) =>
        fetch(`${baseUrl}/ajax/board/recommend`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: tokens[index]! }, body: String(bno) }),
      );
      assert.deepEqual(statuses, Array(8).fill(200));
      assert.equal((await boardRow(t, bno)).recommend, 8);
    });

    it('When §5.24 the shared guest account recommends, then 401 (the front end says "please log in") and nothing is counted', async () => {
      const bno = await write();
      const res = await recommend(guest, bno);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'GUEST_CANNOT_RECOMMEND');
      assert.equal((await boardRow(t, bno)).recommend, 0);
    });

    it('When a stranger recommends a secret post, then 428; its author and administrators may', async () => {
      for (const pw of ['nonpw', 'AbC123']) {
        const bno = await write(pw);
        assert.equal((await recommend(bob, bno)).status, 428);
        assert.equal((await recommend(alice, bno)).status, 200);
        assert.equal((await recommend(admin, bno)).status, 200);
        assert.equal((await boardRow(t, bno)).recommend, 2);
      }
    });

    it('When §5.15 the post is unknown or deleted, then 404 (the original answered 500 for unknown)', async () => {
      assert.equal((await recommend(bob, 999999)).status, 404);
      const bno = await write();
      await t.database.db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).execute();
      assert.equal((await recommend(bob, bno)).status, 404);
    });

    it('When the token names an account that does not exist, then 401 UNKNOWN_ACCOUNT, not a 500', async () => {
      const bno = await write();
      const ghost = await t.accessTokens.issue({ id: 'ghost1', role: 'ROLE_USER_CERT' });
      const res = await recommend(ghost, bno);
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNKNOWN_ACCOUNT');
    });

    it('When nobody is logged in, then 401; when the body is not a number, then 400', async () => {
      const bno = await write();
      assert.equal((await recommend('', bno)).status, 401);
      assert.equal((await recommend(bob, '"x"')).status, 400);
    });
  });
}
