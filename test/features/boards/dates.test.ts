import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { timeZoneProblem } from '../../../src/db/time-zone.ts';
import { boardRepository } from '../../../src/features/boards/repository.ts';
import { addSubject, addUser } from '../../helpers/forum.ts';
import { databaseKinds, startTestApp, type TestApp } from '../../helpers/app.ts';

describe('APP_TIME_ZONE in the configuration', () => {
  it('When APP_TIME_ZONE is unset, then post dates are written in Asia/Seoul', () => {
    assert.equal(loadConfig({}).timeZone, 'Asia/Seoul');
  });

  it('When APP_TIME_ZONE is a zone name in any letter case, then it is kept as written', () => {
    for (const zone of ['asia/seoul', 'Etc/GMT+9', 'America/Argentina/Buenos_Aires', 'America/Port-au-Prince', 'UTC', 'CET']) {
      assert.equal(loadConfig({ APP_TIME_ZONE: zone }).timeZone, zone);
    }
  });

  for (const zone of ['+09:00', 'UTC+09:00', 'UTC+9', 'KST-9', 'EST5EDT', 'GMT0', '<+09>-9', ' Asia/Seoul', 'Asia/Seoul/', '9', `Asia/${'x'.repeat(64)}`]) {
    it(`When APP_TIME_ZONE is ${JSON.stringify(zone)}, then start-up is refused with a line naming the variable`, () => {
      assert.throws(
        () => loadConfig({ APP_TIME_ZONE: zone }),
        (error: unknown) => error instanceof ConfigError && /^APP_TIME_ZONE: must be an IANA time zone/.test(error.problems.join('\n')),
      );
    });
  }
});

for (const kind of databaseKinds) {
  describe(`Post dates written by the database (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
      await addUser(t, 'alice1');
      await addSubject(t, 'dates');
    });
    after(() => t.close());

    let sBno = 0;
    /** The post with this instant as reg_date (and update_date, when given), as the repository reads it in `zone`. */
    async function readBack(zone: string, regDate: Date, updateDate: Date | null = null) {
      const { bno } = await t.database.db
        .insertInto('board')
        .values({ sid: 'dates', s_bno: sBno++, user_id: 'alice1', title: 't', content: '', reg_date: regDate, update_date: updateDate })
        .returning('bno')
        .executeTakeFirstOrThrow();
      const boards = boardRepository(t.database.db, zone);
      const row = await boards.find(bno);
      const listed = (await boards.page('dates', 1, 1000)).find((item) => item.bno === bno);
      assert.equal(listed?.reg_date, row?.reg_date, 'the list writes the date as the post does');
      return row!;
    }

    it('When a date is read, then it is "YYYY-MM-DD HH:MM:SS" in the zone, midnight as 00, fractions cut', async () => {
      assert.equal((await readBack('Asia/Seoul', new Date(Date.UTC(2024, 0, 2, 15, 4, 5)))).reg_date, '2024-01-03 00:04:05');
      assert.equal((await readBack('Asia/Seoul', new Date(Date.UTC(2023, 11, 31, 14, 59, 59, 999)))).reg_date, '2023-12-31 23:59:59');
      assert.equal((await readBack('UTC', new Date(Date.UTC(2024, 0, 2, 15, 4, 5)))).reg_date, '2024-01-02 15:04:05');
    });

    it('When the zone observes daylight saving, then summer and winter dates use their own offsets', async () => {
      assert.equal((await readBack('America/New_York', new Date(Date.UTC(2024, 6, 1, 12, 0, 0)))).reg_date, '2024-07-01 08:00:00');
      assert.equal((await readBack('america/new_york', new Date(Date.UTC(2024, 0, 1, 12, 0, 0)))).reg_date, '2024-01-01 07:00:00');
      // Seoul itself had daylight saving in 1987–88.
      assert.equal((await readBack('Asia/Seoul', new Date(Date.UTC(1988, 6, 1, 2, 0, 0)))).reg_date, '1988-07-01 12:00:00');
    });

    it('When a post was edited, then update_date is written the same way, and null until then', async () => {
      const edited = await readBack('Asia/Seoul', new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 1, 29, 23, 30, 0)));
      assert.equal(edited.update_date, '2024-03-01 08:30:00');
      assert.equal((await readBack('Asia/Seoul', new Date())).update_date, null);
    });

    it('When a zone is an IANA name or alias in any letter case, then the database writes dates in it', async () => {
      for (const zone of ['Asia/Seoul', 'asia/seoul', 'Asia/Calcutta', 'Etc/UTC', 'UTC', 'GMT', 'Etc/GMT+9', 'America/Argentina/Buenos_Aires', 'Europe/Paris', 'EST']) {
        assert.equal(await timeZoneProblem(t.database.db, zone), undefined, zone);
      }
    });

    it('When a zone is an abbreviation or a made-up name, then the database knows no such zone', async () => {
      for (const zone of ['Mars/Olympus_Mons', 'KST', 'Seoul']) {
        assert.match((await timeZoneProblem(t.database.db, zone)) ?? '', /^the database knows no time zone of that name/, zone);
      }
    });

    it('When a zone name is also an abbreviation AT TIME ZONE would read as a fixed offset (CET), then it is refused', async () => {
      assert.match((await timeZoneProblem(t.database.db, 'CET')) ?? '', /fixed-offset abbreviation/);
      // What it guards against: the zone CET has summer time, the abbreviation does not.
      assert.equal((await readBack('Europe/Paris', new Date(Date.UTC(2024, 6, 1, 12)))).reg_date, '2024-07-01 14:00:00');
      assert.equal((await readBack('CET', new Date(Date.UTC(2024, 6, 1, 12)))).reg_date, '2024-07-01 13:00:00');
    });
  });
}
