import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { contentLimits } from '../../src/content/sanitize.ts';
import { databaseKinds, frontOrigin, type TestApp } from '../helpers/app.ts';
import { asFrontEnd, boardRow, startForum, writePost, type Forum } from '../helpers/forum.ts';
import { assertLimitedAfter } from '../helpers/rate-limit.ts';

for (const kind of databaseKinds) {
  describe(`Bounded post content and subject descriptions on ${kind}`, () => {
    let forum: Forum;
    let t: TestApp;
    before(async () => {
      forum = await startForum(kind);
      t = forum.t;
    });
    after(() => forum.t.close());

    const create = (content: string) => asFrontEnd(request(t.app).post('/ajax/board/create'), forum.alice).send({ sid: 'free', title: 't', content, pw: null });
    const posts = async () => Number((await t.database.db.selectFrom('board').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('When the content nests 166,000 <a> (the issue\'s payload), then 400 CONTENT_TOO_COMPLEX naming content, with CORS headers, and nothing is stored', async () => {
      const before = await posts();
      const res = await create('<a>'.repeat(166_000));
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'CONTENT_TOO_COMPLEX');
      assert.deepEqual(res.body.error.fields, [{ field: 'content', message: `nests elements more than ${contentLimits.maxDepth} deep` }]);
      assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
      assert.equal(await posts(), before);
    });

    it('When the content has more elements than the limit, even flat ones, then 400 naming content', async () => {
      const res = await create('<br>'.repeat(contentLimits.maxElements + 1));
      assert.equal(res.status, 400);
      assert.match(res.body.error.fields[0].message, /more than 20000 elements/);
    });

    it('When the content would grow past the stored bound once escaped, then 413 CONTENT_TOO_LARGE naming content', async () => {
      const res = await create('&'.repeat(contentLimits.maxChars / 4));
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, 'CONTENT_TOO_LARGE');
      assert.equal(res.body.error.fields[0].field, 'content');
    });

    it('When the content is as deep and as large as the limits allow, then it is stored as it is', async () => {
      const deepest = `${'<b>'.repeat(contentLimits.maxDepth)}x${'</b>'.repeat(contentLimits.maxDepth)}`;
      const bno = await writePost(t, forum.alice, { sid: 'free', content: deepest });
      assert.equal((await boardRow(t, bno)).content, deepest);
    });

    it('When an edit nests too deep, then 400 and the post keeps its content', async () => {
      const bno = await writePost(t, forum.alice, { sid: 'free', content: '<p>kept</p>' });
      const res = await asFrontEnd(request(t.app).post('/ajax/board/update'), forum.alice).send({ bno: String(bno), title: 't', content: '<div>'.repeat(600), pw: null });
      assert.equal(res.status, 400);
      assert.equal((await boardRow(t, bno)).content, '<p>kept</p>');
    });

    it('When a subject description nests too deep, then 400 naming description', async () => {
      const res = await asFrontEnd(request(t.app).post('/ajax/subject/regi'), forum.admin).send({ id: 'deep', title: 'deep', description: '<i>'.repeat(1000), admin: 'admin' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'description');
    });

    it('When a post links to a new tab, then the stored link carries rel="noopener noreferrer"', async () => {
      const bno = await writePost(t, forum.alice, { sid: 'free', content: '<a href="https://example.com" target="_blank" rel="opener">x</a>' });
      const read = await asFrontEnd(request(t.app).get(`/ajax/board/read?bno=${bno}`), forum.alice);
      assert.equal(read.body.content, '<a href="https://example.com" target="_blank" rel="noopener noreferrer">x</a>');
    });
  });
}

describe('Write routes are limited per account and per address', () => {
  let forum: Forum;
  before(async () => {
    forum = await startForum('pglite');
  });
  after(() => forum.t.close());

  const nickChange = (token: string, address: string, nick: string) =>
    asFrontEnd(request(forum.t.app).post('/ajax/account/update'), token).set('X-Forwarded-For', address).send({ id: '', nick, email: '', auth: -1 });

  it('When one account writes more than 60 posts within an hour, then it gets 429 with Retry-After and CORS headers; another account from the same address still posts', async () => {
    let serial = 0;
    await assertLimitedAfter(60, () => asFrontEnd(request(forum.t.app).post('/ajax/board/create'), forum.bob).set('X-Forwarded-For', '198.51.100.7').send({ sid: 'free', title: `t${(serial += 1)}`, content: '', pw: null }));
    const other = await asFrontEnd(request(forum.t.app).post('/ajax/board/create'), forum.alice).set('X-Forwarded-For', '198.51.100.7').send({ sid: 'free', title: 't', content: '', pw: null });
    assert.equal(other.status, 200);
  });

  it('When accounts behind one address change nicks 60 times within an hour, then the next one is 429 even for a fresh account', async () => {
    const address = '198.51.100.8';
    let serial = 0;
    for (const token of [forum.alice, forum.bob, forum.admin]) {
      for (let change = 0; change < 20; change += 1) assert.equal((await nickChange(token, address, `nick_${(serial += 1)}`)).status, 200);
    }
    assert.equal((await nickChange(forum.guest, address, 'nick_last')).status, 429);
    assert.equal((await nickChange(forum.alice, '198.51.100.9', 'nick_elsewhere')).status, 429, 'per account as well: alice used her 20');
  });
});
