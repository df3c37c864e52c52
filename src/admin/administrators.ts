import type { Db } from '../db/index.ts';
import { violatedUniqueConstraint } from '../db/errors.ts';
import { accountRepository } from '../features/accounts/repository.ts';
import { patterns } from '../features/accounts/schemas.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { authLevel } from '../features/auth/roles.ts';

/** Why an administrator could not be created or promoted, in words for the operator. */
export class AdminError extends Error {}

export interface NewAdministrator {
  id: string;
  password: string;
  nick?: string;
  email?: string;
}

const check = (ok: boolean, problem: string) => {
  if (!ok) throw new AdminError(problem);
};

/** A new account with auth 3 that signs in through the front end's login form (the same rules apply). */
export async function createAdministrator(db: Db, { id, password, nick = id, email }: NewAdministrator): Promise<void> {
  check(patterns.loginId.test(id), `the id must be 5–20 of a-z, 0-9, _ and - (got "${id}")`);
  check(patterns.pw.test(password), 'the password must be 8–16 letters, digits or the symbols the front end allows');
  check(patterns.nick.test(nick), `the nick must be 5–20 letters, digits, Hangul, _ or - (got "${nick}")`);
  check(email === undefined || patterns.email.test(email), `not an e-mail address: "${email}"`);
  const accounts = accountRepository(db);
  check(!(await accounts.idExists(id)), `an account "${id}" exists already: use promote`);
  try {
    await accounts.insert({ id, pw: await hashPassword(password), nick, email: email ?? null, auth: authLevel.admin });
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    if (constraint === 'user_nick_key') throw new AdminError(`the nick "${nick}" is taken: pass another with --nick`);
    if (constraint === 'user_email_key') throw new AdminError(`the address "${email}" belongs to another account`);
    if (constraint === 'user_pkey') throw new AdminError(`an account "${id}" exists already: use promote`);
    throw error;
  }
}

/** An existing account becomes an administrator (guests cannot). */
export async function promoteToAdministrator(db: Db, id: string): Promise<void> {
  const accounts = accountRepository(db);
  const account = await accounts.findById(id);
  check(account !== undefined, `no account "${id}"`);
  check(account!.auth !== authLevel.guest, `"${id}" is a guest account: guests cannot be administrators`);
  check(await accounts.promoteToAdmin(id), `"${id}" could not be promoted`);
}
