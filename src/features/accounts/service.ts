import { randomBytes } from 'node:crypto';
import { violatedUniqueConstraint } from '../../db/errors.ts';
import { errors } from '../../http/errors.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../auth/passwords.ts';
import { authLevel, guestIdPrefix } from '../auth/roles.ts';
import type { AccountRepository, NewUser } from './repository.ts';
import { patterns, type RegisterInput, type User } from './schemas.ts';

const takenField: Record<string, 'id' | 'nick' | 'email'> = { user_pkey: 'id', user_nick_key: 'nick', user_email_key: 'email' };

/** Random ids and nicks for OAuth sign-ups, in the original's shapes (`id_` / `user_` + 15 hex digits). */
const randomHex = () => randomBytes(8).toString('hex').slice(0, 15);
const oauthSignUpAttempts = 5;
/**
 * An unverified account holds its address this long: then anyone may sign up with it (an OAuth sign-up too),
 * and the old account loses it and can no longer be verified. Someone who typed another person's address
 * cannot keep it from them.
 */
export const unverifiedAddressHoldMs = 7 * 24 * 60 * 60 * 1000;
const releasedBefore = () => new Date(Date.now() - unverifiedAddressHoldMs);

/** A guest's id and nick: the prefix and 12 random letters and digits (62 bits). */
const guestName = () => `${guestIdPrefix}${BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36).padStart(12, '0').slice(-12)}`;

export function accountService(accounts: AccountRepository) {
  /** Inserts the user, or names the field whose unique key it hit (another request may have won a race with our checks). */
  async function insert(user: NewUser): Promise<User | { taken: 'id' | 'nick' | 'email' }> {
    try {
      return await accounts.insert(user);
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      const field = constraint === undefined ? undefined : takenField[constraint];
      if (field) return { taken: field };
      throw error;
    }
  }

  return {
    /** The caller's account, or null when the token's user has no row (the original answered `null` too). */
    async account(id: string): Promise<User | null> {
      return (await accounts.findById(id)) ?? null;
    },

    findById: (id: string): Promise<User | undefined> => accounts.findById(id),

    idTaken: (id: string) => accounts.idExists(id),
    nickTaken: (nick: string) => accounts.nickExists(nick),
    emailTaken: (email: string) => accounts.emailExists(email, releasedBefore()),

    /** Frees the address if an unverified account held it past `unverifiedAddressHoldMs`. */
    releaseStaleEmail: async (email: string): Promise<void> => {
      await accounts.releaseEmail(email, releasedBefore());
    },

    /** A new unverified account (auth 1) with a hashed password; nothing else is issued here. */
    async register(input: RegisterInput): Promise<User> {
      if (await accounts.idExists(input.id)) throw errors.alreadyTaken('id');
      if (await accounts.nickExists(input.nick)) throw errors.alreadyTaken('nick');
      await accounts.releaseEmail(input.email, releasedBefore());
      if (await accounts.emailExists(input.email, releasedBefore())) throw errors.alreadyTaken('email');
      const pw = await hashPassword(input.pw);
      const inserted = await insert({ id: input.id, pw, nick: input.nick, email: input.email, auth: authLevel.unverified });
      if ('taken' in inserted) throw errors.alreadyTaken(inserted.taken);
      return inserted;
    },

    /** The account whose password this is, or undefined. Ids and passwords the front end could never have sent are simply wrong. */
    async checkCredentials(id: string, pw: string): Promise<User | undefined> {
      const account = patterns.loginId.test(id) && patterns.pw.test(pw) ? await accounts.findWithPassword(id) : undefined;
      if (!account) return verifyAgainstDecoy(pw).then(() => undefined);
      const { pw: stored, ...user } = account;
      return (await verifyPassword(pw, stored)) ? user : undefined;
    },

    async changeNick(id: string, nick: string): Promise<void> {
      const account = await accounts.findById(id);
      if (!account) throw errors.accountNotFound();
      if (account.auth === authLevel.guest) throw errors.guestAccountReadOnly();
      if (await accounts.nickExists(nick, id)) throw errors.alreadyTaken('nick');
      const updated = await accounts.updateNick(id, nick).catch((error: unknown) => {
        throw violatedUniqueConstraint(error) === 'user_nick_key' ? errors.alreadyTaken('nick') : error;
      });
      if (!updated) throw errors.accountNotFound();
    },

    findByEmail: (email: string) => accounts.findByEmail(email),

    /** A new guest (auth 0): no password, no address, a random id that is also its nick. */
    async createGuest(): Promise<User> {
      for (let attempt = 1; ; attempt += 1) {
        const name = guestName();
        const inserted = await insert({ id: name, pw: null, nick: name, email: null, auth: authLevel.guest });
        if (!('taken' in inserted)) return inserted;
        if (attempt >= oauthSignUpAttempts) throw errors.alreadyTaken(inserted.taken);
      }
    },

    /** Housekeeping: guest accounts whose sessions are over and that wrote nothing (at most 1000 per call). */
    removeAbandonedGuests: (now = new Date()) => accounts.deleteAbandonedGuests(new Date(now.getTime() - 60_000), now, 1000),

    /** A verified (2) account for an OAuth sign-up, with a fresh random id and nick on every attempt. */
    async createForOAuth(email: string | null): Promise<User> {
      for (let attempt = 1; ; attempt += 1) {
        const inserted = await insert({ id: `id_${randomHex()}`, pw: null, nick: `user_${randomHex()}`, email, auth: authLevel.verified });
        if (!('taken' in inserted)) return inserted;
        if (inserted.taken === 'email' || attempt >= oauthSignUpAttempts) throw errors.alreadyTaken(inserted.taken);
      }
    },

    /** Marks the address verified when the key was mailed to the account's current address; returns the account. */
    async confirmEmail(id: string, email: string): Promise<User | undefined> {
      await accounts.raiseToVerified(id, email);
      const user = await accounts.findById(id);
      return user && user.email?.toLowerCase() === email.toLowerCase() ? user : undefined;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
