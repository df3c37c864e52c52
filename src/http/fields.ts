import { z } from 'zod';

/**
 * An integer as Jackson read it into a Java `int`: a JSON number or a numeric string ("57"), which is how the
 * original front end sends post numbers. Anything else is a 400 naming the field.
 */
export function lenientInt({ min, max }: { min: number; max: number }) {
  const message = 'must be a whole number';
  return z
    .union([z.number(), z.string().regex(/^[+-]?\d{1,16}$/, message).transform(Number)], { error: message })
    .pipe(z.number().int(message).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** The range of the INTEGER columns (bno, s_bno): larger numbers cannot name a row. */
export const int32Max = 2_147_483_647;

/** Text that must say something (not only spaces) and fit its column. */
export function requiredText(max: number) {
  return z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .refine((text) => text.trim() !== '', 'must not be empty');
}
