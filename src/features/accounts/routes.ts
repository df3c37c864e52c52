import { z } from 'zod';
import { limitRate } from '../../http/rate-limit.ts';
import { route, callerOf, type AnyRoute, type RouteSpec } from '../../http/routes.ts';
import { hour, limitWrites } from '../../http/write-limits.ts';
import type { AuthService } from '../auth/service.ts';
import { sendSession, type SessionCookies } from '../auth/session-cookie.ts';
import { emailExistBody, idExistBody, nickExistBody, registerBody, updateAccountBody, userSchema } from './schemas.ts';
import type { AccountService } from './service.ts';

/** POST /ajax/register/{id,nick,email}-exist: a bare JSON boolean, true when taken. */
function existenceCheck<Field extends 'id' | 'nick' | 'email'>(
  field: Field,
  body: z.ZodType<Record<Field, string>>,
  taken: (value: string) => Promise<boolean>,
): RouteSpec<undefined, Record<Field, string>> {
  return route({
    method: 'post',
    path: `/ajax/register/${field}-exist`,
    tag: 'accounts',
    summary: `Whether the ${field} is already taken`,
    body,
    before: [limitRate({ name: `${field}-exist`, windowMs: 60_000, limit: 60 })],
    responses: {
      200: { description: 'true when taken, false when free', body: z.boolean() },
      400: { description: `${field} missing or not in the accepted format` },
      429: { description: 'too many checks from this address' },
    },
    handle: async ({ res, body: input }) => {
      res.json(await taken(input[field]));
    },
  });
}

export function accountRoutes(accounts: AccountService, auth: AuthService, cookies: SessionCookies): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/ajax/account/',
      tag: 'accounts',
      summary: "The caller's account",
      responses: {
        200: { description: 'the account (null when the token names no stored user)', body: userSchema.nullable() },
        401: { description: 'no valid access token' },
      },
      handle: async ({ res, user }) => {
        res.json(await accounts.account(callerOf(user).id));
      },
    }),
    route({
      method: 'post',
      path: '/ajax/account/update',
      tag: 'accounts',
      summary: "Change the caller's nick (posts keep the nick they were written under)",
      body: updateAccountBody,
      before: limitWrites('account-update', { windowMs: hour, perUser: 20, perAddress: 60 }),
      responses: {
        200: { description: 'changed' },
        400: { description: 'nick invalid, or taken (ALREADY_TAKEN), or the caller is a guest (GUEST_ACCOUNT_READ_ONLY)' },
        404: { description: 'the account of the token no longer exists (ACCOUNT_NOT_FOUND)' },
        429: { description: 'too many nick changes from this account or this address within an hour' },
      },
      handle: async ({ res, user, body }) => {
        await accounts.changeNick(callerOf(user).id, body.nick);
        res.status(200).end();
      },
    }),
    route({
      method: 'post',
      path: '/ajax/register/',
      tag: 'accounts',
      summary: 'Sign up (unverified until the e-mail link is followed); tokens are issued only once the account exists',
      body: registerBody,
      before: [limitRate({ name: 'register', windowMs: 60 * 60_000, limit: 20 })],
      responses: {
        200: {
          description: 'the new user (auth 1)',
          body: userSchema,
          headers: { Authorization: 'the access token', 'Set-Cookie': 'the refresh token' },
        },
        400: { description: 'a field is invalid or already taken (names the field)' },
        429: { description: 'too many sign-ups from this address' },
      },
      handle: async ({ res, body }) => {
        const user = await accounts.register(body);
        sendSession(res, cookies, await auth.start(user));
      },
    }),
    existenceCheck('id', idExistBody, accounts.idTaken),
    existenceCheck('nick', nickExistBody, accounts.nickTaken),
    existenceCheck('email', emailExistBody, accounts.emailTaken),
  ];
}
