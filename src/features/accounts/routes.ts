import { route, callerOf, type AnyRoute } from '../../http/routes.ts';
import { userSchema } from './schemas.ts';
import type { AccountService } from './service.ts';

export function accountRoutes(accounts: AccountService): AnyRoute[] {
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
  ];
}
