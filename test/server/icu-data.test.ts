import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccessTokens } from '../../src/features/auth/access-token.ts';
import { storeUser } from '../helpers/accounts.ts';
import { frontOrigin, testSecret } from '../helpers/app.ts';
import { spawnServerOn, type ServerProcess } from '../helpers/server-process.ts';
import { icuDataResidentMb } from '../helpers/smaps.ts';

/**
 * ICU's data (time zones, locales, collation, calendars) is built into the Node binary, and whatever part a process
 * reads stays in its RSS: formatting one date with Intl.DateTimeFormat reads ~5 MB of it and ~4 MB of ICU's code,
 * one localeCompare ~2 MB and ~5. The server needs none of it (PostgreSQL writes the post dates), and this keeps it so.
 */
describe('ICU data in the server process', { skip: process.platform !== 'linux' && 'reads /proc/<pid>/pagemap' }, () => {
  let running: { server: ServerProcess; stop(): Promise<void> };
  before(async () => {
    running = await spawnServerOn('postgres', {}, async (db) => {
      await storeUser(db, { id: 'writer1', auth: 2 });
      await db.insertInto('subject').values({ id: 'free', title: 'free', description: '', admin: 'writer1' }).execute();
    });
  });
  after(() => running?.stop());

  it('When the server has started, written a post and answered its reads with their dates, then it has read (almost) none of ICU’s data', async (t) => {
    const base = `http://127.0.0.1:${running.server.port}`;
    const token = await createAccessTokens(testSecret).issue({ id: 'writer1', role: 'ROLE_USER_CERT' });
    const created = await fetch(`${base}/ajax/board/create`, {
      method: 'POST',
      headers: { Origin: frontOrigin, 'Content-Type': 'application/json', Authorization: token },
      body: JSON.stringify({ sid: 'free', title: 'dates', content: '<p>a post <b>with</b> a date</p>', pw: null }),
    });
    assert.equal(created.status, 200, await created.text());
    const list = (await (await fetch(`${base}/ajax/board/list?sid=free&page=1`)).json()) as Array<{ bno: number; reg_date: string }>;
    assert.match(list[0]!.reg_date, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const post = (await (await fetch(`${base}/ajax/board/read?bno=${list[0]!.bno}`)).json()) as { reg_date: string };
    assert.equal(post.reg_date, list[0]!.reg_date);
    assert.equal((await fetch(`${base}/ajax/subject/all`)).status, 200);

    const resident = icuDataResidentMb(running.server.child.pid!);
    t.diagnostic(`ICU data resident in the server: ${resident.toFixed(2)} MB`);
    // Node itself reads ~0.4 MB of it at start; Intl.DateTimeFormat brings it to ~5 MB, localeCompare to ~2.3 MB.
    assert.ok(resident < 1.5, `${resident.toFixed(2)} MB of ICU's data is resident in the server`);
  });
});
