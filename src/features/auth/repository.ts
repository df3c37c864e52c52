import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { RefreshTokenTable } from '../../db/tables/refresh-token.ts';

export type RefreshTokenRow = Omit<Selectable<RefreshTokenTable>, 'created_at'>;

/** Refresh tokens, stored by digest (see opaque-tokens.ts) and chained to their successors. */
export function refreshTokenRepository(db: Db) {
  return {
    insert: (token: { id: string; family_id: string; user_id: string; expires_at: Date }) =>
      db.insertInto('refresh_token').values(token).execute(),

    find: (id: string): Promise<RefreshTokenRow | undefined> =>
      db
        .selectFrom('refresh_token')
        .select(['id', 'family_id', 'user_id', 'expires_at', 'replaced_by', 'rotated_at'])
        .where('id', '=', id)
        .executeTakeFirst(),

    /**
     * Replaces `current` by `next` in one transaction. Only one of several concurrent rotations of the same
     * token can set replaced_by; the others get false and are treated as a presentation of a rotated token.
     */
    rotate: (current: RefreshTokenRow, next: { id: string; expires_at: Date }, now: Date) =>
      db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('refresh_token')
          .set({ replaced_by: next.id, rotated_at: now })
          .where('id', '=', current.id)
          .where('replaced_by', 'is', null)
          .executeTakeFirst();
        if (claimed.numUpdatedRows === 0n) return false;
        await trx
          .insertInto('refresh_token')
          .values({ id: next.id, family_id: current.family_id, user_id: current.user_id, expires_at: next.expires_at })
          .execute();
        return true;
      }),

    /** Revokes a whole family: every token ever rotated from the same login. */
    deleteFamily: (familyId: string) => db.deleteFrom('refresh_token').where('family_id', '=', familyId).execute(),

    /** Housekeeping, done whenever a user logs in: their expired tokens can no longer be presented or reused. */
    deleteExpired: (userId: string, now: Date) =>
      db.deleteFrom('refresh_token').where('user_id', '=', userId).where('expires_at', '<=', now).execute(),
  };
}

export type RefreshTokenRepository = ReturnType<typeof refreshTokenRepository>;
