import type { TokenUser } from '../features/auth/access-token.ts';

declare global {
  namespace Express {
    // What the access-token strategy puts on req.user.
    interface User extends TokenUser {}

    interface Request {
      /** Set when an Authorization header was sent but did not yield a user. */
      tokenProblem?: 'expired' | 'invalid';
    }
  }
}
