import type { Db } from '../../src/db/index.ts';
import { hashPassword } from '../../src/features/auth/passwords.ts';

export interface StoredUser {
  id: string;
  pw: string;
  nick: string;
  email: string;
  auth: number;
}

/** Stores a user as registration would (hashed password), without going through the rate-limited route. */
export async function storeUser(db: Db, user: Partial<StoredUser> & { id: string }): Promise<StoredUser> {
  const complete: StoredUser = { pw: 'password1!', nick: `n_${user.id}`.slice(0, 20), email: `${user.id}@example.com`, auth: 2, ...user };
  await db.insertInto('user').values({ ...complete, pw: await hashPassword(complete.pw) }).execute();
  return complete;
}
