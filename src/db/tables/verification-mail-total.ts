import type { ColumnType } from 'kysely';

/** Verification mails sent to one address (lower-cased), ever. */
export interface VerificationMailTotalTable {
  email: string;
  sent: number;
  last_sent_at: ColumnType<Date, Date | undefined, Date>;
}
