import type { ColumnType, Generated } from 'kysely';

export interface UserTable {
  id: string;
  /** A password hash; null for accounts that can only sign in through OAuth (or the shared guest). */
  pw: string | null;
  nick: string;
  email: string | null;
  /** 0 guest, 1 registered (e-mail not verified), 2 verified, 3 admin — see features/auth/roles.ts. */
  auth: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
}
