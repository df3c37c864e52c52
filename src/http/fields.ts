import { z } from 'zod';

/**
 * A JSON Schema `pattern` for the whole numbers min..max (min ≥ 0) written in decimal, with an optional `+`
 * and leading zeros ("57", "+57", "057"). Only what every JSON Schema engine compiles: `^`, `$`, `|`, `?`,
 * `*`, groups, [0-9]-style classes and `{n}` repeats.
 */
export function wholeNumberPattern(min: number, max: number): string {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) throw new Error(`no whole-number pattern for ${min}..${max}`);
  const alternatives: string[] = [];
  for (let digits = String(min).length; digits <= String(max).length; digits += 1) {
    const low = Math.max(min, digits === 1 ? 0 : 10 ** (digits - 1));
    const high = Math.min(max, 10 ** digits - 1);
    if (low <= high) alternatives.push(...sameLength(String(low), String(high)));
  }
  return `^\\+?0*(?:${alternatives.join('|')})$`;
}

// [0-9], not \d: Python's and Rust's \d also match other scripts' digits.
const digitClass = (from: string, to: string) => (from === to ? from : `[${from}-${to}]`);
const repeatAny = (count: number) => (count === 0 ? '' : count === 1 ? '[0-9]' : `[0-9]{${count}}`);

/** Patterns for the decimal numbers low..high, both `digits` long. */
function sameLength(low: string, high: string): string[] {
  if (low.length === 0) return [''];
  const [lowHead, lowTail] = [low[0]!, low.slice(1)];
  const [highHead, highTail] = [high[0]!, high.slice(1)];
  const rest = lowTail.length;
  if (/^0*$/.test(lowTail) && /^9*$/.test(highTail)) {
    return [lowHead === '0' && highHead === '9' ? repeatAny(rest + 1) : digitClass(lowHead, highHead) + repeatAny(rest)];
  }
  if (lowHead === highHead) return sameLength(lowTail, highTail).map((tail) => lowHead + tail);
  const parts = sameLength(lowTail, '9'.repeat(rest)).map((tail) => lowHead + tail);
  const next = String(Number(lowHead) + 1);
  const before = String(Number(highHead) - 1);
  if (Number(next) <= Number(before)) parts.push(digitClass(next, before) + repeatAny(rest));
  parts.push(...sameLength('0'.repeat(rest), highTail).map((tail) => highHead + tail));
  return parts;
}

/**
 * An integer as Jackson read it into a Java `int`: a JSON number or a numeric string ("57"), which is how the
 * original front end sends post numbers. Anything else is a 400 naming the field. Both forms carry their
 * bounds in the OpenAPI document: `integer` with minimum/maximum, and a string whose pattern spells the range.
 */
export function lenientInt({ min, max }: { min: number; max: number }) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.union(
    [
      z.number().int(message).min(min, message).max(max, message),
      text(message).regex(new RegExp(wholeNumberPattern(min, max)), message).transform(Number),
    ],
    { error: message },
  );
}

/** The range of the INTEGER columns (bno, s_bno): larger numbers cannot name a row. */
export const int32Max = 2_147_483_647;

/**
 * A character String.prototype.trim() keeps: not one of ECMAScript's white space and line terminators. Spelt
 * out rather than `\S`, whose set differs between regex engines (Python's includes \x1c–\x1f, Rust's not \ufeff).
 */
export const notBlankPattern = '[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

/**
 * At most `max` characters, counted as JSON Schema's maxLength and PostgreSQL's varchar count them (code
 * points, so an emoji is one), not as UTF-16 units.
 */
export function atMostCharacters<T extends z.ZodType<string>>(schema: T, max: number): T {
  return schema.refine((text) => characterCount(text) <= max, `must be at most ${max} characters`).meta({ maxLength: max }) as T;
}

function characterCount(text: string): number {
  let count = 0;
  for (const _character of text) count += 1;
  return count;
}

/** Text that must say something (not only white space) and fit its column. */
export function requiredText(max: number) {
  return atMostCharacters(
    // abort: an empty title is one problem, not two.
    text().min(1, { error: 'must not be empty', abort: true }).regex(new RegExp(notBlankPattern), 'must not be empty'),
    max,
  );
}

/**
 * The C0 controls a request may not carry: all but TAB, LF and CR. NUL is the one that matters most, as
 * PostgreSQL (and PGlite) cannot store it in text and answered 500; the others have no place in forum text
 * and only hide what a string says.
 */
export const refusedControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/**
 * The one rule every string a request carries passes (issue 14), before any query sees it: no C0 control
 * but TAB/LF/CR, and well-formed UTF-16 (a lone surrogate such as the JSON escape "\ud800" cannot be encoded as
 * UTF-8: the database drivers stored it as U+FFFD, silently changing the text). Two native scans of the
 * string, no allocation when it passes. It aborts, so the field's own rules (regex, length) report nothing more.
 */
export const textRule = z.superRefine<string>((value, ctx) => {
  if (!value.isWellFormed()) {
    ctx.addIssue({ code: 'custom', message: 'must be valid Unicode text (it holds a lone UTF-16 surrogate)', input: value, continue: false });
    return;
  }
  const control = refusedControl.exec(value);
  if (control !== null) {
    const codePoint = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    ctx.addIssue({ code: 'custom', message: `must not contain control characters (${codePoint} at ${control.index})`, input: value, continue: false });
  }
});

/**
 * A string of a request (query, path, body, cookie): `z.string()` with the shared rule. Every input schema
 * builds its strings with this (test/http/string-rule.test.ts fails on a plain `z.string()` in a route's input).
 */
export function text(error: string | ((issue: { input: unknown }) => string) = 'must be a string') {
  return z.string({ error }).check(textRule);
}
