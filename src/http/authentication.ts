import type { RequestHandler } from 'express';
import { Passport } from 'passport';
import { Strategy } from 'passport-strategy';
import { errors } from './errors.ts';
import { decodeSafely } from './url.ts';
import type { RouteAccess } from './public-routes.ts';

/** The raw JWT the original front end sends, or `Bearer <jwt>`; an empty header means anonymous. */
export function tokenFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const token = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
  return token === '' || token === 'null' || token === 'undefined' ? undefined : token;
}

/**
 * What the strategy needs of the access tokens (src/features/auth/access-token.ts verifies them with jose):
 * the token's user, or why it yields none. `Express.User` is declared in src/types/express.d.ts.
 */
export interface TokenVerifier {
  verify(token: string): Promise<{ kind: 'valid'; user: Express.User } | { kind: 'expired' } | { kind: 'invalid' }>;
}

/**
 * A passport strategy over jose. It never refuses a request itself: it sets req.user for a valid token and
 * notes an expired or invalid one; the route guards below decide what that means for each route.
 */
class AccessTokenStrategy extends Strategy {
  name = 'access-token';
  readonly tokens: TokenVerifier;

  constructor(tokens: TokenVerifier) {
    super();
    this.tokens = tokens;
  }

  override authenticate(req: Express.Request & { headers: Record<string, string | string[] | undefined> }): void {
    const header = req.headers.authorization;
    const token = tokenFrom(typeof header === 'string' ? header : undefined);
    if (token === undefined) {
      this.pass();
      return;
    }
    this.tokens.verify(token).then(
      (result) => {
        if (result.kind === 'valid') {
          this.success(result.user);
          return;
        }
        req.tokenProblem = result.kind;
        this.pass();
      },
      (error: unknown) => this.error(error instanceof Error ? error : new Error(String(error))),
    );
  }
}

export function authenticateAccessToken(tokens: TokenVerifier): RequestHandler {
  const authenticator = new Passport();
  authenticator.use(new AccessTokenStrategy(tokens));
  const authenticate = authenticator.authenticate('access-token', { session: false }) as RequestHandler;
  return (req, res, next) => {
    // Most traffic is anonymous: skip passport's per-request setup when there is nothing to verify.
    if (!req.headers.authorization) {
      next();
      return;
    }
    authenticate(req, res, next);
  };
}

const requireToken: RequestHandler = (req, _res, next) => {
  if (req.tokenProblem === 'expired') throw errors.tokenExpired();
  if (!req.user) throw errors.unauthenticated(req.tokenProblem);
  next();
};

const rejectExpiredToken: RequestHandler = (req, _res, next) => {
  if (req.tokenProblem === 'expired') throw errors.tokenExpired();
  next();
};

/** The guard every route gets from its declared access (see public-routes.ts). */
export function guardFor(access: RouteAccess): RequestHandler | undefined {
  if (access.requiresToken) return requireToken;
  return access.acceptsExpiredToken ? undefined : rejectExpiredToken;
}

/** For requests no route matched: expired → 303, anonymous under /ajax → 401, else 404. */
export const unmatchedRoute: RequestHandler = (req) => {
  if (req.tokenProblem === 'expired') throw errors.tokenExpired();
  const path = decodeSafely(req.path).toLowerCase().replace(/[\\/]+/g, '/');
  if (!req.user && (path === '/ajax' || path.startsWith('/ajax/'))) throw errors.unauthenticated(req.tokenProblem);
  throw errors.routeNotFound();
};

