// user.auth (0–3) and the role strings the original put in its tokens (forum-api.md §1.4).
export const roles = ['ROLE_GUEST', 'ROLE_USER_NONCERT', 'ROLE_USER_CERT', 'ROLE_ADMIN'] as const;

export type Role = (typeof roles)[number];

export const authLevel = {
  guest: 0,
  unverified: 1,
  verified: 2,
  admin: 3,
} as const;

export function roleOf(auth: number): Role {
  const role = roles[auth];
  if (role === undefined) throw new Error(`user.auth out of range: ${auth}`);
  return role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/**
 * Guest login creates an account of its own for each guest (auth 0, ROLE_GUEST): it may read and post, and
 * edit or delete its own posts, but neither recommend nor change the account. Their ids start with this.
 */
export const guestIdPrefix = 'guest_';

/** The account every guest shared before migration 003; it keeps its posts, and nobody signs in as it. */
export const sharedGuestId = 'guest';
