import { randomUUID } from 'node:crypto';
import { errors } from '../../http/errors.ts';
import type { User } from '../accounts/schemas.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AccessTokens } from './access-token.ts';
import { digestOf, newOpaqueToken } from './opaque-tokens.ts';
import type { RefreshTokenRepository, RefreshTokenRow } from './repository.ts';
import { authLevel, roleOf } from './roles.ts';

export const refreshTokenLifetimeMs = 90 * 24 * 60 * 60 * 1000;

/**
 * A guest's session: 24 hours from its last refresh (every refresh extends it). Once it lapses, or the guest
 * logs out, nobody can act as that guest again: its posts stay, under its nick, and only an administrator may
 * delete them. Abandoned guests that wrote nothing are deleted (src/features/accounts/service.ts).
 */
export const guestSessionLifetimeMs = 24 * 60 * 60 * 1000;

/** Guest logins sweep abandoned guest accounts at most this often per process. */
const guestSweepIntervalMs = 10 * 60_000;

const sessionLifetimeMs = (user: User) => (user.auth === authLevel.guest ? guestSessionLifetimeMs : refreshTokenLifetimeMs);

/**
 * The original front end refreshes once per component that got a 303, so one page can send several
 * refreshes with the same cookie at once. Within this window after a rotation, presenting the replaced token
 * again is that race, not theft: it gets an access token but no new refresh token (the winner's cookie stays).
 */
export const rotationGraceMs = 10_000;

/** What a login hands out: the user JSON, an access token and a new refresh token (a new family). */
export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export type RefreshOutcome =
  | { kind: 'rotated'; accessToken: string; refreshToken: string; refreshTokenExpiresAt: Date }
  | { kind: 'concurrent'; accessToken: string }
  | { kind: 'refused'; reason: 'missing' | 'unknown' | 'expired' | 'reused' | 'no account'; userId?: string };

export interface AuthDependencies {
  refreshTokens: RefreshTokenRepository;
  accounts: AccountService;
  accessTokens: AccessTokens;
  guestLogin: boolean;
}

export function authService({ refreshTokens, accounts, accessTokens, guestLogin }: AuthDependencies) {
  let lastGuestSweep = Number.NEGATIVE_INFINITY;
  /** Tokens carry the role of the account as stored now, whatever any earlier token said. */
  const accessTokenFor = (user: User) => accessTokens.issue({ id: user.id, role: roleOf(user.auth) });

  async function start(user: User): Promise<Session> {
    const now = new Date();
    const refreshToken = newOpaqueToken();
    const refreshTokenExpiresAt = new Date(now.getTime() + sessionLifetimeMs(user));
    await refreshTokens.deleteExpired(user.id, now);
    await refreshTokens.insert({ id: digestOf(refreshToken), family_id: randomUUID(), user_id: user.id, expires_at: refreshTokenExpiresAt });
    return { user, accessToken: await accessTokenFor(user), refreshToken, refreshTokenExpiresAt };
  }

  async function presentedAgain(row: RefreshTokenRow, now: Date): Promise<RefreshOutcome> {
    if (row.rotated_at && now.getTime() - row.rotated_at.getTime() <= rotationGraceMs) {
      const user = await accounts.findById(row.user_id);
      return user ? { kind: 'concurrent', accessToken: await accessTokenFor(user) } : { kind: 'refused', reason: 'no account' };
    }
    await refreshTokens.deleteFamily(row.family_id);
    return { kind: 'refused', reason: 'reused', userId: row.user_id };
  }

  return {
    start,

    async login(id: string, pw: string): Promise<Session> {
      const user = await accounts.checkCredentials(id, pw);
      if (!user) throw errors.wrongCredentials();
      return start(user);
    },

    /** A new guest account of its own for every guest login (ROLE_GUEST), and its 24-hour session. */
    async guest(): Promise<Session> {
      if (!guestLogin) throw errors.guestLoginDisabled();
      const now = Date.now();
      if (now - lastGuestSweep >= guestSweepIntervalMs) {
        lastGuestSweep = now;
        await accounts.removeAbandonedGuests();
      }
      return start(await accounts.createGuest());
    },

    /**
     * Trades a refresh token for a new access token and a new refresh token. Only the refresh token speaks
     * for the caller: the access token it comes with is ignored, and the role is read from the database.
     */
    async refresh(presented: string | undefined): Promise<RefreshOutcome> {
      if (!presented) return { kind: 'refused', reason: 'missing' };
      const now = new Date();
      const row = await refreshTokens.find(digestOf(presented));
      if (!row) return { kind: 'refused', reason: 'unknown' };
      if (row.expires_at <= now) return { kind: 'refused', reason: 'expired', userId: row.user_id };
      if (row.replaced_by !== null) return presentedAgain(row, now);

      const user = await accounts.findById(row.user_id);
      if (!user) return { kind: 'refused', reason: 'no account' };
      const refreshToken = newOpaqueToken();
      const refreshTokenExpiresAt = new Date(now.getTime() + sessionLifetimeMs(user));
      if (!(await refreshTokens.rotate(row, { id: digestOf(refreshToken), expires_at: refreshTokenExpiresAt }, now))) {
        return presentedAgain({ ...row, rotated_at: now }, now);
      }
      return { kind: 'rotated', accessToken: await accessTokenFor(user), refreshToken, refreshTokenExpiresAt };
    },

    /** Logout: the presented refresh token's whole family stops working. */
    async logout(presented: string | undefined): Promise<void> {
      const row = presented ? await refreshTokens.find(digestOf(presented)) : undefined;
      if (row) await refreshTokens.deleteFamily(row.family_id);
    },

    accessTokenFor,
  };
}

export type AuthService = ReturnType<typeof authService>;
