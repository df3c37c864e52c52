import { z } from 'zod';

/**
 * An IANA zone name ICU knows (aliases such as GMT or Asia/Calcutta and any letter case included), in its canonical
 * spelling; fixed offsets like "+09:00" are refused, as they ignore daylight saving wherever it applies. The import
 * reads wall-clock dates with ICU's rules (below), so ICU must know the zone: a one-off command can afford ICU's
 * data, which the server does without (its post dates are written by PostgreSQL, src/features/boards/repository.ts).
 */
export const icuTimeZone = z.string().transform((value, context) => {
  let canonical = '';
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    // An unknown zone: refused below.
  }
  if (canonical === 'UTC' || Intl.supportedValuesOf('timeZone').includes(canonical)) return canonical;
  context.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Asia/Seoul or UTC' });
  return z.NEVER;
});

/** "YYYY-MM-DD HH:MM:SS" in `timeZone` (ICU's rules). */
function wallClockFormatter(timeZone: string): (date: Date) => string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    numberingSystem: 'latn',
  });
  return (date) => {
    const part = Object.fromEntries(format.formatToParts(date).map(({ type, value }) => [type, value]));
    return `${part.year?.padStart(4, '0')}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
  };
}

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
  const format = wallClockFormatter(timeZone);
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
