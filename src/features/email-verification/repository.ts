import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';

/** Pending e-mail verifications, stored by the digest of the mailed key. */
export function emailVerificationRepository(db: Db) {
  return {
    insert: (verification: { id: string; user_id: string; email: string; expires_at: Date }) =>
      db.insertInto('email_verification').values(verification).execute(),

    /** Takes the key out of the table (single use); undefined when it is unknown, someone else's or expired. */
    consume: (id: string, userId: string, now: Date) =>
      db
        .deleteFrom('email_verification')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .returning('email')
        .executeTakeFirst(),

    /**
     * Counts one more mail to the address, unless it has had `cap` already: false then. One statement, so
     * concurrent requests cannot both take the last one.
     */
    countMail: async (email: string, cap: number): Promise<boolean> => {
      const row = await db
        .insertInto('verification_mail_total')
        .values({ email: email.toLowerCase(), sent: 1 })
        .onConflict((conflict) =>
          conflict
            .column('email')
            .doUpdateSet((eb) => ({ sent: eb('verification_mail_total.sent', '+', 1), last_sent_at: sql<Date>`now()` }))
            .where('verification_mail_total.sent', '<', cap),
        )
        .returning('sent')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Once one link worked, the user's other pending links are void. */
    deleteAllOf: (userId: string) => db.deleteFrom('email_verification').where('user_id', '=', userId).execute(),
  };
}

export type EmailVerificationRepository = ReturnType<typeof emailVerificationRepository>;
