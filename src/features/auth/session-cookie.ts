import type { CookieOptions, Request, Response } from 'express';
import { z } from 'zod';
import { text } from '../../http/fields.ts';
import type { User } from '../accounts/schemas.ts';

export const refreshCookieName = 'refreshToken';

/**
 * The refresh token travels only where it is used. /ajax/auth/refresh is the original's path; the same
 * token is also scoped to /ajax/logout so that logout (which the front end calls without any token) can
 * revoke it server-side.
 */
const refreshCookiePaths = ['/ajax/auth/refresh', '/ajax/logout'] as const;

/** The cookie the session routes read, checked by the shared string rule (other cookies are ignored). */
export const sessionCookieSchema = z.object({ [refreshCookieName]: text().optional() });

export interface SessionCookies {
  set(res: Response, refreshToken: string, expiresAt: Date): void;
  clear(res: Response): void;
  read(req: Request): string | undefined;
}

/**
 * HttpOnly, Secure, SameSite=None (the front end calls cross-site with credentials); Domain only when configured.
 * `plainHttp` (DEV_HTTP_COOKIES, development only) drops Secure, which browsers require for SameSite=None, and
 * says SameSite=Lax instead: a front end on the same host over http (http://192.168.0.19:3000 calling
 * http://192.168.0.19:8080) then keeps its session. On localhost none of this is needed: browsers accept Secure
 * cookies from http://localhost.
 */
export function sessionCookies(cookieDomain: string | undefined, plainHttp = false): SessionCookies {
  const transport: CookieOptions = plainHttp ? { secure: false, sameSite: 'lax' } : { secure: true, sameSite: 'none' };
  const base: CookieOptions = { httpOnly: true, ...transport, ...(cookieDomain ? { domain: cookieDomain } : {}) };
  return {
    set(res, refreshToken, expiresAt) {
      const maxAge = Math.max(0, expiresAt.getTime() - Date.now());
      for (const path of refreshCookiePaths) res.cookie(refreshCookieName, refreshToken, { ...base, path, maxAge });
    },
    clear(res) {
      for (const path of refreshCookiePaths) res.clearCookie(refreshCookieName, { ...base, path });
    },
    read(req) {
      if (req.cookies === undefined) throw new Error('cookies were not parsed: declare usesCookies on this route');
      const value: unknown = req.cookies[refreshCookieName];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
  };
}

/** A successful login, sign-up or guest login: the user JSON, the access token header and the refresh cookie. */
export function sendSession(
  res: Response,
  cookies: SessionCookies,
  session: { user: User; accessToken: string; refreshToken: string; refreshTokenExpiresAt: Date },
): void {
  res.setHeader('Authorization', session.accessToken);
  cookies.set(res, session.refreshToken, session.refreshTokenExpiresAt);
  res.json(session.user);
}
