import { mock } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { testSecret } from './app.ts';
import { accessTokenLifetimeSeconds, type AccessTokens, type TokenUser } from '../../src/features/auth/access-token.ts';
import type { Role } from '../../src/features/auth/roles.ts';

/**
 * An access token issued by the server's own code with the clock set one lifetime and a minute back: the
 * token a front end holds after 31 idle minutes, expired the way a real one expires (claims, signature and
 * all), without waiting half an hour.
 */
export async function expiredAccessToken(tokens: AccessTokens, user: TokenUser): Promise<string> {
  mock.timers.enable({ apis: ['Date'], now: Date.now() - (accessTokenLifetimeSeconds + 60) * 1000 });
  let issued: Promise<string>;
  try {
    // The issue and expiry times are read synchronously, before signing awaits anything.
    issued = tokens.issue(user);
  } finally {
    mock.timers.reset();
  }
  return issued;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Tokens shaped like ours but wrong in exactly one way each. */
export const forgedTokens = {
  expired: (id = 'alice1', role: Role = 'ROLE_USER_CERT') =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuer('forum-api')
      .setAudience('forum')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
      .sign(key(testSecret)),
  wrongSecret: (id = 'alice1') =>
    new SignJWT({ role: 'ROLE_ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuer('forum-api')
      .setAudience('forum')
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(key('another-secret-that-is-also-32-bytes-long!!')),
  algNone: (id = 'alice1') =>
    new UnsecuredJWT({ role: 'ROLE_ADMIN' }).setSubject(id).setIssuer('forum-api').setAudience('forum').setIssuedAt().setExpirationTime('30m').encode(),
  /** HS512 with our secret, as the original signed: another algorithm, refused. */
  otherAlgorithm: (id = 'alice1') =>
    new SignJWT({ role: 'ROLE_ADMIN' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(id)
      .setIssuer('forum-api')
      .setAudience('forum')
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(key(testSecret)),
  garbage: async () => 'not.a.jwt',
};
