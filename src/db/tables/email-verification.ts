import type { ColumnType } from 'kysely';

/** A pending e-mail verification; `id` is the SHA-256 of the key mailed in the link (the key is never stored). */
export interface EmailVerificationTable {
  id: string;
  user_id: string;
  /** The address the link was sent to: verifying proves this address, so it must still be the account's. */
  email: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
}
