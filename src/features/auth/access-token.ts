import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { TokenVerifier } from '../../http/authentication.ts';
import { isRole, type Role } from './roles.ts';
import { VerifiedTokens } from './verified-tokens.ts';

export interface TokenUser {
  id: string;
  role: Role;
}

const issuer = 'forum-api';
const audience = 'forum';
const algorithm = 'HS256';
export const accessTokenLifetimeSeconds = 30 * 60;
// Thousands of people signed in within one token lifetime; each entry is a few hundred bytes.
const verifiedTokensKept = 10_000;

/** `verify` is what the request's authentication calls (src/http/authentication.ts). */
export interface AccessTokens extends TokenVerifier {
  issue(user: TokenUser): Promise<string>;
}

/** Access tokens: HS256 JWTs under our own secret, 30 minutes, sent raw in the Authorization header. */
export function createAccessTokens(secret: string): AccessTokens {
  const key = new TextEncoder().encode(secret);
  const verified = new VerifiedTokens<TokenUser>(verifiedTokensKept);
  return {
    issue: (user) =>
      new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${accessTokenLifetimeSeconds}s`)
        .sign(key),

    async verify(token) {
      const known = verified.userOf(token);
      if (known !== undefined) return { kind: 'valid', user: known };
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer,
          audience,
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (typeof payload.sub !== 'string' || !isRole(payload.role)) return { kind: 'invalid' };
        const user = { id: payload.sub, role: payload.role };
        verified.remember(token, user, (payload.exp ?? 0) * 1000);
        return { kind: 'valid', user };
      } catch (error) {
        // jose checks the signature before the claims, so "expired" is only said of a token we signed.
        if (error instanceof joseErrors.JWTExpired) return { kind: 'expired' };
        return { kind: 'invalid' };
      }
    },
  };
}
