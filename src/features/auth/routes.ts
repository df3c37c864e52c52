import type { RequestHandler } from 'express';
import { errors } from '../../http/errors.ts';
import { limitRate } from '../../http/rate-limit.ts';
import { callerOf, route, type AnyRoute } from '../../http/routes.ts';
import { loginBody, userSchema } from '../accounts/schemas.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AuthService } from './service.ts';
import { sendSession, sessionCookieSchema, type SessionCookies } from './session-cookie.ts';

const sessionHeaders = {
  Authorization: 'the access token (a raw JWT, 30 minutes)',
  'Set-Cookie': 'refreshToken (HttpOnly; Secure; SameSite=None) for /ajax/auth/refresh and /ajax/logout',
};

/** The cookie login, register, refresh and OAuth set (HttpOnly: a browser sends it, scripts cannot read it). */
const refreshCookie = {
  refreshToken:
    'the refresh token (HttpOnly; set for the paths /ajax/auth/refresh and /ajax/logout): the browser sends it itself with credentials: "include"; absent or stale → 401 on refresh, nothing to revoke on logout',
};

/**
 * `fromFrontEnd` guards the two routes that act on the refresh cookie alone (src/http/same-site.ts): without it
 * any site could log a visitor out with a form, or spend their refresh token.
 */
export function authRoutes(auth: AuthService, accounts: AccountService, cookies: SessionCookies, fromFrontEnd: RequestHandler): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/ajax/login/',
      tag: 'auth',
      summary: 'Log in with id and password',
      body: loginBody,
      before: [limitRate({ name: 'login', windowMs: 5 * 60_000, limit: 20 })],
      responses: {
        200: { description: 'the user', body: userSchema, headers: sessionHeaders },
        400: { description: 'id or pw missing (names the field)' },
        401: { description: 'wrong id or password' },
        429: { description: 'too many attempts from this address' },
      },
      handle: async ({ res, body }) => {
        sendSession(res, cookies, await auth.login(body.id, body.pw));
      },
    }),
    route({
      method: 'get',
      path: '/ajax/login/guest',
      tag: 'auth',
      summary: 'Log in as a new guest: an account of its own (auth 0, ROLE_GUEST) whose session lasts 24 hours after its last refresh',
      before: [
        limitRate({ name: 'guest-login', windowMs: 60 * 60_000, limit: 10 }),
        // Each guest login is an account row: this bounds how fast all addresses together can add them.
        limitRate({ name: 'guest-login:everyone', windowMs: 60 * 60_000, limit: 1000, key: () => 'everyone' }),
      ],
      responses: {
        200: { description: 'the new guest', body: userSchema, headers: sessionHeaders },
        404: { description: 'guest login is disabled (GUEST_LOGIN=false)' },
        429: { description: 'more than 10 guest logins from this address, or 1,000 in all, within an hour' },
      },
      handle: async ({ res }) => {
        sendSession(res, cookies, await auth.guest());
      },
    }),
    route({
      method: 'get',
      path: '/ajax/login/oauth',
      tag: 'auth',
      summary: "The caller's account, fetched by the front end right after the OAuth redirect",
      responses: { 200: { description: 'the user (null when the token names no stored user)', body: userSchema.nullable() } },
      handle: async ({ res, user }) => {
        res.json(await accounts.account(callerOf(user).id));
      },
    }),
    route({
      method: 'post',
      path: '/ajax/logout/',
      tag: 'auth',
      usesCookies: true,
      cookies: sessionCookieSchema,
      cookieDocs: refreshCookie,
      summary: 'Log out: revokes the refresh token (its whole family) and clears the cookie',
      before: [fromFrontEnd],
      responses: {
        200: { description: 'logged out (also when there was nothing to revoke)' },
        403: { description: 'not sent by a page of an allowed origin (CROSS_SITE_REQUEST): nothing is revoked' },
      },
      handle: async ({ req, res }) => {
        await auth.logout(cookies.read(req));
        cookies.clear(res);
        res.status(200).end();
      },
    }),
    route({
      method: 'post',
      path: '/ajax/auth/refresh',
      tag: 'auth',
      usesCookies: true,
      cookies: sessionCookieSchema,
      cookieDocs: refreshCookie,
      summary: 'A new access token for the refresh cookie (rotated on every call); the presented access token is ignored',
      before: [fromFrontEnd],
      responses: {
        200: { description: 'refreshed', headers: sessionHeaders },
        403: { description: 'not sent by a page of an allowed origin (CROSS_SITE_REQUEST): the cookie is neither used nor cleared' },
        401: { description: 'no, unknown, expired or revoked refresh token: the cookie is cleared' },
      },
      handle: async ({ req, res }) => {
        const outcome = await auth.refresh(cookies.read(req));
        if (outcome.kind === 'refused') {
          if (outcome.reason === 'reused') req.log.warn({ userId: outcome.userId }, 'a replaced refresh token was presented again: its family is revoked');
          cookies.clear(res);
          throw errors.refreshTokenInvalid();
        }
        if (outcome.kind === 'rotated') cookies.set(res, outcome.refreshToken, outcome.refreshTokenExpiresAt);
        res.setHeader('Authorization', outcome.accessToken);
        res.status(200).end();
      },
    }),
  ];
}
