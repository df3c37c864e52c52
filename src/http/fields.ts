import { z } from 'zod';

/**
 * An integer as Jackson read it into a Java `int`: a JSON number or a numeric string ("57"), which is how the
 * original front end sends post numbers. Anything else is a 400 naming the field.
 */
export function lenientInt({ min, max }: { min: number; max: number }) {
  const message = 'must be a whole number';
  return z
    .union([z.number(), text(message).regex(/^[+-]?\d{1,16}$/, message).transform(Number)], { error: message })
    .pipe(z.number().int(message).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** The range of the INTEGER columns (bno, s_bno): larger numbers cannot name a row. */
export const int32Max = 2_147_483_647;

/** Text that must say something (not only spaces) and fit its column. */
export function requiredText(max: number) {
  return text()
    .max(max, `must be at most ${max} characters`)
    .refine((text) => text.trim() !== '', 'must not be empty');
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
