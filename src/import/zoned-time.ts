import { postDateFormatter } from '../features/boards/dates.ts';

const wallClock = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?)?$/;

/** The wall-clock fields read as if they were UTC; undefined when they name no real date (MySQL's 0000-00-00 too). */
function asUtc(text: string): number | undefined {
  const match = wallClock.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millis = Math.round(Number(match[7] ?? 0) * 1000);
  const time = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(time);
  // Date.UTC rolls 2023-02-30 over into March; a real date survives the round trip unchanged.
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
  return real && year > 0 ? time : undefined;
}

/**
 * Turns MySQL DATETIME text (a wall-clock time without zone) into the instant it meant in `timeZone`.
 * The offset is read from the zone's own rules at that moment, so daylight saving (Seoul had it in 1987–88)
 * is honoured; a time that a clock change skipped or repeated resolves to one of its candidates.
 */
export function wallClockConverter(timeZone: string): (text: string) => Date | undefined {
  const format = postDateFormatter(timeZone);
  const offsetAt = (instant: number): number => {
    const seconds = Math.floor(instant / 1000) * 1000;
    return (asUtc(format(new Date(seconds))) ?? seconds) - seconds;
  };
  return (text) => {
    const local = asUtc(text);
    if (local === undefined) return undefined;
    const guess = local - offsetAt(local);
    return new Date(local - offsetAt(guess));
  };
}

/** MySQL's way of writing "no date" in NOT NULL columns. */
export const isZeroDate = (text: string): boolean => /^0000-00-00/.test(text);
