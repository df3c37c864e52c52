import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds } from '../helpers/app.ts';
import { asFrontEnd, startForum, type Forum } from '../helpers/forum.ts';

/**
 * Issue 14: the string rule refuses NUL, C0 controls and lone surrogates, and nothing else. Text of every
 * script must come back exactly as it was sent: no NFC/NFD normalisation, no U+FFFD, no lost combining mark.
 */
const samples = {
  korean: '한국어 게시판 제목입니다',
  astral: '😀 👩‍👩‍👧‍👦 🇰🇷 𝕏 𠜎 🀄',
  rtl: 'שלום עולם · مرحبا بالعالم',
  // Decomposed (NFD) on purpose: a normalising layer would turn e + U+0301 into é.
  combining: 'e\u0301 n\u0303 a\u0308\u0323 Z\u0324\u0308\u0301 ᄒ\u1161\u11ab',
};
const mixed = Object.values(samples).join(' | ');
// The nick rule allows Hangul, letters, digits, _ and - only (forum-api.md §3.4).
const nicks = { registered: '한글닉네임', changed: '새로운닉네임_2' };

/** Equal as strings and as UTF-8 bytes: the message names the first differing code point. */
function assertSameText(actual: unknown, expected: string, what: string): void {
  assert.equal(typeof actual, 'string', `${what}: ${String(actual)}`);
  const codePoints = (text: string) => [...text].map((char) => `U+${char.codePointAt(0)!.toString(16).toUpperCase()}`).join(' ');
  assert.equal(codePoints(actual as string), codePoints(expected), what);
  assert.ok(Buffer.from(actual as string, 'utf8').equals(Buffer.from(expected, 'utf8')), what);
}

for (const kind of databaseKinds) {
  describe(`Unicode text round-trips on ${kind}`, () => {
    let f: Forum;
    before(async () => {
      f = await startForum(kind);
    });
    after(() => f?.t.close());
    const api = (token = '') => ({
      get: (path: string) => asFrontEnd(request(f.t.app).get(path), token),
      post: (path: string) => asFrontEnd(request(f.t.app).post(path), token),
    });

    it('When a nick is Korean, then register, the account, the writer of a post and a nick change give it back byte for byte', async () => {
      const registered = await api().post('/ajax/register/').send({ id: 'unicode1', pw: 'password12', nick: nicks.registered, email: 'unicode1@example.com' });
      assert.equal(registered.status, 200, registered.text);
      assertSameText(registered.body.nick, nicks.registered, 'register');
      const token = registered.headers.authorization!;
      assertSameText((await api(token).post('/ajax/account/').send('')).body.nick, nicks.registered, 'account');

      const changed = await api(f.alice).post('/ajax/account/update').send({ id: '', nick: nicks.changed, email: '', auth: -1 });
      assert.equal(changed.status, 200, changed.text);
      assertSameText((await api(f.alice).post('/ajax/account/').send('')).body.nick, nicks.changed, 'account after the change');
      const bno = (await api(f.alice).post('/ajax/board/create').send({ sid: 'free', title: 't', content: '<p>c</p>', pw: null })).body as number;
      assertSameText((await api().get(`/ajax/board/read?bno=${bno}`)).body.writer, nicks.changed, 'writer on read');
      const listed = (await api().get('/ajax/board/list?sid=free&page=1')).body as Array<{ bno: number; writer: string }>;
      assertSameText(listed.find((entry) => entry.bno === bno)?.writer, nicks.changed, 'writer in the list');
    });

    it('When a subject title and description hold Korean, astral, RTL and combining text, then regi → get → all → update → get give them back byte for byte', async () => {
      const created = await api(f.admin).post('/ajax/subject/regi').send({ id: 'unicode', title: samples.korean, description: `<p>${mixed}</p>`, admin: 'alice1' });
      assert.equal(created.status, 200, created.text);
      const got = (await api().get('/ajax/subject/get?sid=unicode')).body;
      assertSameText(got.title, samples.korean, 'get: title');
      assertSameText(got.description, `<p>${mixed}</p>`, 'get: description');
      const all = (await api().get('/ajax/subject/all')).body as Array<{ id: string; title: string }>;
      assertSameText(all.find((subject) => subject.id === 'unicode')?.title, samples.korean, 'all: title');

      for (const title of [samples.astral, samples.rtl, samples.combining]) {
        const updated = await api(f.admin).post('/ajax/subject/update').send({ id: 'unicode', title, description: `<p>${title}</p>`, admin: 'alice1' });
        assert.equal(updated.status, 200, updated.text);
        const again = (await api().get('/ajax/subject/get?sid=unicode')).body;
        assertSameText(again.title, title, 'get after update: title');
        assertSameText(again.description, `<p>${title}</p>`, 'get after update: description');
      }
    });

    for (const [name, sample] of Object.entries(samples)) {
      it(`When a post's title and content are ${name} text, then create → read → list → update → read give them back byte for byte`, async () => {
        const content = `<p>${sample}</p><p>${mixed}</p>`;
        const created = await api(f.alice).post('/ajax/board/create').send({ sid: 'free', title: sample, content, pw: null });
        assert.equal(created.status, 200, created.text);
        const bno = created.body as number;
        const read = (await api().get(`/ajax/board/read?bno=${bno}`)).body;
        assertSameText(read.title, sample, 'read: title');
        assertSameText(read.content, content, 'read: content');
        const listed = (await api().get('/ajax/board/list?sid=free&page=1')).body as Array<{ bno: number; title: string }>;
        assertSameText(listed.find((entry) => entry.bno === bno)?.title, sample, 'list: title');

        const edited = `${sample} ${sample}`;
        const update = await api(f.alice).post('/ajax/board/update').send({ bno: String(bno), title: edited, content: `<p>${edited}</p>`, pw: null });
        assert.equal(update.status, 200, update.text);
        const reread = (await api().get(`/ajax/board/read?bno=${bno}`)).body;
        assertSameText(reread.title, edited, 'read after update: title');
        assertSameText(reread.content, `<p>${edited}</p>`, 'read after update: content');
      });
    }
  });
}
