import { sql, type ExpressionBuilder } from 'kysely';
import { compiledQuery } from '../../db/compiled.ts';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/schema.ts';

const userColumns = ['id', 'nick', 'email', 'auth'] as const;

// Nicks and e-mail addresses are unique case-insensitively (the lower() indexes of 001-init), as under
// MySQL's default collation; comparing lower() to lower() lets those indexes answer.
const sameLowered = (column: 'nick' | 'email', value: string) => (eb: ExpressionBuilder<Database, 'user'>) =>
  eb(eb.fn('lower', [column]), '=', value.toLowerCase());

export interface NewUser {
  id: string;
  pw: string | null;
  nick: string;
  email: string | null;
  auth: number;
}

export function accountRepository(db: Db) {
  // Every signed-in request that needs the caller's account runs this: compiled once (src/db/compiled.ts).
  const byId = compiledQuery(db, 1, (id: string) => db.selectFrom('user').select(userColumns).where('id', '=', id));
  return {
    findById: async (id: string) => (await byId(id))[0],

    findWithPassword: (id: string) => db.selectFrom('user').select([...userColumns, 'pw']).where('id', '=', id).executeTakeFirst(),

    findByEmail: (email: string) => db.selectFrom('user').select(userColumns).where(sameLowered('email', email)).executeTakeFirst(),

    idExists: async (id: string) => (await db.selectFrom('user').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,

    /** Whether another account than `exceptId` uses the nick. */
    nickExists: async (nick: string, exceptId?: string) => {
      let query = db.selectFrom('user').select('id').where(sameLowered('nick', nick));
      if (exceptId !== undefined) query = query.where('id', '<>', exceptId);
      return (await query.executeTakeFirst()) !== undefined;
    },

    /** Whether an account holds the address, not counting an unverified one created before `releasedBefore`. */
    emailExists: async (email: string, releasedBefore: Date) =>
      (await db
        .selectFrom('user')
        .select('id')
        .where(sameLowered('email', email))
        .where((eb) => eb.or([eb('auth', '<>', 1), eb('created_at', '>=', releasedBefore)]))
        .executeTakeFirst()) !== undefined,

    /** The address leaves an unverified account created before `releasedBefore` (the account stays, without it). */
    releaseEmail: (email: string, releasedBefore: Date) =>
      db.updateTable('user').set({ email: null }).where(sameLowered('email', email)).where('auth', '=', 1).where('created_at', '<', releasedBefore).execute(),

    /** Throws the database's unique violation when the id, nick or e-mail is taken meanwhile. */
    insert: (user: NewUser) => db.insertInto('user').values(user).returning(userColumns).executeTakeFirstOrThrow(),

    updateNick: async (id: string, nick: string) => {
      const result = await db.updateTable('user').set({ nick }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Guest accounts nobody can use any more (no live session, created before `createdBefore`) and that own
     * nothing; at most `limit` per call. Their posts would keep them, as the posts' author.
     */
    deleteAbandonedGuests: async (createdBefore: Date, now: Date, limit: number): Promise<number> => {
      const abandoned = db
        .selectFrom('user')
        .select('id')
        .where('auth', '=', 0)
        .where('id', 'like', 'guest\\_%')
        .where('created_at', '<', createdBefore)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('refresh_token')
                .select('refresh_token.id')
                .whereRef('refresh_token.user_id', '=', 'user.id')
                .where('refresh_token.expires_at', '>', now)
                .unionAll(selectFrom('board').select(sql<string>`''`.as('id')).whereRef('board.user_id', '=', 'user.id'))
                .unionAll(selectFrom('recommend').select(sql<string>`''`.as('id')).whereRef('recommend.user_id', '=', 'user.id')),
            ),
          ),
        )
        .limit(limit);
      const result = await db.deleteFrom('user').where('id', 'in', abandoned).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Makes an account an administrator; false when there is no such account or it is a guest. */
    promoteToAdmin: async (id: string): Promise<boolean> => {
      const result = await db.updateTable('user').set({ auth: 3 }).where('id', '=', id).where('auth', '<>', 0).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Raises an unverified account (1) to verified (2) if the address is still its own; never lowers an admin. */
    raiseToVerified: (id: string, email: string) =>
      db.updateTable('user').set({ auth: 2 }).where('id', '=', id).where('auth', '=', 1).where(sameLowered('email', email)).execute(),
  };
}

export type AccountRepository = ReturnType<typeof accountRepository>;
