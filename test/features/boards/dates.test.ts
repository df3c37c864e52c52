import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { postDateFormatter } from '../../../src/features/boards/dates.ts';

describe('APP_TIME_ZONE and post dates', () => {
  it('When APP_TIME_ZONE is unset, then post dates are written in Asia/Seoul', () => {
    assert.equal(loadConfig({}).timeZone, 'Asia/Seoul');
  });

  it('When APP_TIME_ZONE is an alias or another spelling, then its canonical IANA name is kept', () => {
    assert.equal(loadConfig({ APP_TIME_ZONE: 'asia/seoul' }).timeZone, 'Asia/Seoul');
    assert.equal(loadConfig({ APP_TIME_ZONE: 'Etc/UTC' }).timeZone, 'UTC');
  });

  for (const zone of ['Mars/Olympus_Mons', '+09:00', 'KST-9', 'Seoul']) {
    it(`When APP_TIME_ZONE is ${zone}, then start-up is refused with a line naming the variable`, () => {
      assert.throws(
        () => loadConfig({ APP_TIME_ZONE: zone }),
        (error: unknown) => error instanceof ConfigError && /^APP_TIME_ZONE: must be an IANA time zone/.test(error.problems.join('\n')),
      );
    });
  }

  it('When a date is formatted, then it is "YYYY-MM-DD HH:MM:SS" in the zone, midnight as 00', () => {
    const seoul = postDateFormatter('Asia/Seoul');
    assert.equal(seoul(new Date(Date.UTC(2024, 0, 2, 15, 4, 5))), '2024-01-03 00:04:05');
    assert.equal(seoul(new Date(Date.UTC(2023, 11, 31, 14, 59, 59))), '2023-12-31 23:59:59');
  });

  it('When the zone observes daylight saving, then summer and winter dates use their own offsets', () => {
    const newYork = postDateFormatter('America/New_York');
    assert.equal(newYork(new Date(Date.UTC(2024, 6, 1, 12, 0, 0))), '2024-07-01 08:00:00');
    assert.equal(newYork(new Date(Date.UTC(2024, 0, 1, 12, 0, 0))), '2024-01-01 07:00:00');
  });
});
