import type { RequestHandler } from 'express';
import { limitRate } from './rate-limit.ts';

export interface WriteLimit {
  windowMs: number;
  /** Per signed-in account (each guest is one). */
  perUser: number;
  /** Per client address (TRUST_PROXY decides what that is): several accounts, or guests, behind one. */
  perAddress: number;
}

export const hour = 60 * 60_000;

/**
 * The two limits of a write route (protected routes only: the guard has set req.user). Each write costs a
 * database row and, for HTML, a sanitizer thread's time; these keep one account or one address from
 * spending them for everybody. Both are ordinary limitRate calls.
 */
export function limitWrites(name: string, { windowMs, perUser, perAddress }: WriteLimit): RequestHandler[] {
  return [
    limitRate({ name: `${name}:user`, windowMs, limit: perUser, key: (req) => req.user?.id ?? '' }),
    limitRate({ name: `${name}:address`, windowMs, limit: perAddress }),
  ];
}
