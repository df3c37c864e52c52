import { z } from 'zod';
import { text as textField } from '../../http/fields.ts';

/** The original's User JSON (forum-api.md §2.3); auth is the integer role of §1.4. */
export const userSchema = z.object({
  id: z.string(),
  nick: z.string(),
  email: z.string().nullable(),
  auth: z.number().int().min(0).max(3),
});

export type User = z.infer<typeof userSchema>;

/**
 * The one validator set for ids, passwords, nicks and e-mail addresses: the front end's own regexes
 * (forum-api.md §3.4), used by register, login, the existence checks and the nick change alike.
 */
export const patterns = {
  id: /^[a-z0-9_\-]{6,20}$/,
  // Punctuation escaped inside classes (`[` above all): JavaScript accepts it bare, other JSON Schema engines
  // (Python's, Rust's) and JavaScript's own `v` flag do not. test/http/openapi.test.ts checks every pattern.
  pw: /^[a-zA-Z0-9\{\}\[\]\/?.,;:\|\)*~`!^\-_+<>@#$%&\\=\('"]{8,16}$/,
  nick: /^[a-zA-Z0-9_\-ㄱ-ㅎㅏ-ㅣ가-힣]{5,20}$/,
  // No flags: the OpenAPI document carries only the source (both cases are spelt out instead of /i).
  email: /^[0-9a-zA-Z]([\-_.]?[0-9a-zA-Z])*@[0-9a-zA-Z]([\-_.]?[0-9a-zA-Z])*\.[a-zA-Z]+$/,
  /**
   * Ids that may sign in: the registration rule, but from 5 characters, as the original's login allowed.
   * Accounts made by hand (the administrator `admin` the sample subjects name) may be that short.
   */
  loginId: /^[a-z0-9_\-]{5,20}$/,
} as const;

const text = (field: string) => textField((issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`));

export const idField = text('id').regex(patterns.id, 'id must be 6–20 of a-z, 0-9, _ and -');
export const pwField = text('pw').regex(patterns.pw, 'pw must be 8–16 letters, digits or symbols');
export const nickField = text('nick').regex(patterns.nick, 'nick must be 5–20 letters, digits, Hangul, _ or -');
export const emailField = text('email').max(254, 'email must be at most 254 characters').regex(patterns.email, 'email must be an e-mail address');

/** The front end also sends pwRe; unknown keys are ignored as Jackson did. */
export const registerBody = z.object({ id: idField, pw: pwField, nick: nickField, email: emailField });
export type RegisterInput = z.infer<typeof registerBody>;

export const idExistBody = z.object({ id: idField });
export const nickExistBody = z.object({ nick: nickField });
export const emailExistBody = z.object({ email: emailField });

/** The front end sends {id: "", nick, email: "", auth: -1}; only nick is used. */
export const updateAccountBody = z.object({ nick: nickField });

/** Login checks only presence here: a malformed id or password is simply a wrong one (401). */
export const loginBody = z.object({ id: text('id'), pw: text('pw') });
