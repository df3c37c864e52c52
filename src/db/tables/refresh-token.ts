import type { ColumnType } from 'kysely';

/**
 * One refresh token. The token itself is never stored: `id` is its SHA-256. Each refresh replaces the
 * token with a new one of the same family and records the successor in `replaced_by`, so a token that is
 * presented again after it was replaced is recognised as reuse and its whole family can be revoked.
 */
export interface RefreshTokenTable {
  id: string;
  family_id: string;
  user_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
  rotated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
