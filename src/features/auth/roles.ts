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
 * The shared guest account behind "guest login": an ordinary verified user (never admin) that may read and
 * post but neither recommend nor change the account.
 */
export const guestUserId = 'guest';
