import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { icuTimeZone, wallClockConverter } from '../../src/import/zoned-time.ts';

describe('MySQL DATETIME text → instant', () => {
  const seoul = wallClockConverter('Asia/Seoul');
  const newYork = wallClockConverter('America/New_York');
  const iso = (date: Date | undefined) => date?.toISOString();

  it('When the original wrote a Seoul wall-clock time, then it is that moment (UTC+9), fractions kept', () => {
    assert.equal(iso(seoul('2023-05-01 09:30:00')), '2023-05-01T00:30:00.000Z');
    assert.equal(iso(seoul('2024-01-01 00:00:00.250')), '2023-12-31T15:00:00.250Z');
    assert.equal(iso(seoul('2023-05-01')), '2023-04-30T15:00:00.000Z');
  });

  it("When the zone had daylight saving at that date, then that date's offset applies (Seoul 1988, New York)", () => {
    assert.equal(iso(seoul('1988-07-01 12:00:00')), '1988-07-01T02:00:00.000Z');
    assert.equal(iso(newYork('2023-01-15 12:00:00')), '2023-01-15T17:00:00.000Z');
    assert.equal(iso(newYork('2023-07-15 12:00:00')), '2023-07-15T16:00:00.000Z');
  });

  it("When the text is MySQL's zero date or no real date, then there is no instant", () => {
    for (const text of ['0000-00-00 00:00:00', '2023-02-30 10:00:00', '2023-05-01 24:00:00', 'yesterday', '']) assert.equal(seoul(text), undefined, text);
  });
});

describe('--source-time-zone', () => {
  it('When the zone is an alias or another spelling, then its canonical IANA name is used', () => {
    assert.equal(icuTimeZone.parse('asia/seoul'), 'Asia/Seoul');
    assert.equal(icuTimeZone.parse('Etc/UTC'), 'UTC');
  });

  for (const zone of ['Mars/Olympus_Mons', '+09:00', 'KST-9', 'Seoul']) {
    it(`When the zone is ${zone}, then it is refused as no IANA time zone`, () => {
      const parsed = icuTimeZone.safeParse(zone);
      assert.equal(parsed.success, false);
      assert.match(parsed.error?.issues[0]?.message ?? '', /^must be an IANA time zone/);
    });
  }
});
