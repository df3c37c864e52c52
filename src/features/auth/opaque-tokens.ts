import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens and e-mail verification keys. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What the database stores instead of the token. A fast hash is enough: the token is random, so there is
 * nothing to guess, and a leaked table holds nothing that can be presented back to us.
 */
export function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
