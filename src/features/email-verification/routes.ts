import { limitRate } from '../../http/rate-limit.ts';
import { callerOf, route, type AnyRoute } from '../../http/routes.ts';
import { verifyQuery } from './schemas.ts';
import type { EmailVerificationService } from './service.ts';

export function emailVerificationRoutes(verification: EmailVerificationService): AnyRoute[] {
  return [
    route({
      method: 'post',
      // The front end calls it with a trailing slash; Express's non-strict routing serves both.
      path: '/ajax/auth/email',
      tag: 'auth',
      summary: 'Mail the caller a verification link (one mail per user per minute)',
      before: [
        limitRate({ name: 'verification-mail', windowMs: 60_000, limit: 1, key: (req) => req.user?.id ?? '' }),
        limitRate({ name: 'verification-mail:address', windowMs: 60 * 60_000, limit: 10 }),
      ],
      responses: {
        200: { description: 'the mail was handed to the SMTP server' },
        404: { description: 'the account of the token no longer exists (ACCOUNT_NOT_FOUND)' },
        409: { description: 'already verified, or the account has no e-mail address' },
        429: { description: 'a mail was sent to this user less than a minute ago, or 10 from this client address within an hour; or the address had its 5 mails, ever (VERIFICATION_MAILS_EXHAUSTED)' },
        502: { description: 'the mail could not be sent' },
      },
      handle: async ({ res, user }) => {
        await verification.sendLink(callerOf(user).id);
        res.status(200).end();
      },
    }),
    route({
      method: 'get',
      path: '/ajax/auth/email/waiting',
      tag: 'auth',
      summary: 'Whether the caller has verified the e-mail address yet',
      responses: {
        200: { description: 'verified (auth ≥ 2)' },
        202: { description: 'not yet verified' },
        404: { description: 'the account of the token no longer exists' },
      },
      handle: async ({ res, user }) => {
        res.status((await verification.isVerified(callerOf(user).id)) ? 200 : 202).end();
      },
    }),
    route({
      method: 'get',
      path: '/ajax/auth/email/verify',
      tag: 'auth',
      summary: 'Follow the mailed link: marks the e-mail verified',
      query: verifyQuery,
      responses: {
        200: { description: 'verified', headers: { Authorization: 'a new access token with the verified role' } },
        400: { description: 'id or key missing, or the link is wrong, used or expired' },
      },
      handle: async ({ res, query }) => {
        res.setHeader('Authorization', await verification.verify(query.id, query.key));
        res.status(200).end();
      },
    }),
  ];
}
