import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { compiledQuery } from '../../db/compiled.ts';
import type { Database } from '../../db/schema.ts';
import type { BoardTable } from '../../db/tables/board.ts';

/**
 * A post as read: its dates already written by PostgreSQL as the front end shows them, "YYYY-MM-DD HH:MM:SS" in
 * APP_TIME_ZONE without an offset. PostgreSQL's own time zone rules do it, so the server never formats a date
 * with ICU (whose locale and zone data would stay resident, ~7 MB of it, for three fields).
 */
export type BoardRow = Omit<Selectable<BoardTable>, 'reg_date' | 'update_date'> & { reg_date: string; update_date: string | null };

export type ListedBoardRow = Pick<BoardRow, 'bno' | 's_bno' | 'writer' | 'title' | 'view' | 'recommend' | 'reg_date' | 'pw'>;

export type NewBoardRow = Pick<Insertable<BoardTable>, 'sid' | 's_bno' | 'user_id' | 'writer' | 'title' | 'content' | 'pw'>;

export type BoardEdit = Pick<BoardRow, 'title' | 'content' | 'pw'>;

/** A timestamptz column as the wall-clock time in `timeZone` (a name PostgreSQL knows, src/db/time-zone.ts). */
const wallClock = <Text extends string | null = string>(column: 'reg_date' | 'update_date', timeZone: string): RawBuilder<Text> =>
  sql<Text>`to_char(${sql.ref(column)} at time zone ${timeZone}, 'YYYY-MM-DD HH24:MI:SS')`;

/** The board and recommend tables. Takes a Kysely instance or a transaction, and the zone post dates are written in. */
export function boardRepository(db: Kysely<Database>, timeZone: string) {
  // board/read (when the post is not in memory) and every post write: compiled once (src/db/compiled.ts).
  const byBno = compiledQuery(db, 1, (bno: number) =>
    db
      .selectFrom('board')
      .select(['bno', 'sid', 's_bno', 'user_id', 'writer', 'title', 'content', 'view', 'recommend', 'pw', 'deleted'])
      .select([wallClock('reg_date', timeZone).as('reg_date'), wallClock<string | null>('update_date', timeZone).as('update_date')])
      .where('bno', '=', bno),
  );
  const addViews = compiledQuery(db, 2, (bno: number, views: number) =>
    db.updateTable('board').set((eb) => ({ view: eb('view', '+', views) })).where('bno', '=', bno),
  );
  return {
    find: async (bno: number): Promise<BoardRow | undefined> => (await byBno(bno))[0],

    /** The s_bno after the highest one used in the subject (0 for the first post). */
    async nextSBno(sid: string): Promise<number> {
      const row = await db.selectFrom('board').select((eb) => eb.fn.max('s_bno').as('last')).where('sid', '=', sid).executeTakeFirst();
      return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
    },

    async insert(board: NewBoardRow): Promise<number> {
      const row = await db.insertInto('board').values(board).returning('bno').executeTakeFirstOrThrow();
      return row.bno;
    },

    /** One page of live posts, newest first: page 1 holds the newest `size`. */
    page: (sid: string, page: number, size: number): Promise<ListedBoardRow[]> =>
      db
        .selectFrom('board')
        .select(['bno', 's_bno', 'writer', 'title', 'view', 'recommend', 'pw'])
        .select(wallClock('reg_date', timeZone).as('reg_date'))
        .where('sid', '=', sid)
        .where('deleted', '=', false)
        .orderBy('s_bno', 'desc')
        .limit(size)
        .offset((page - 1) * size)
        .execute(),

    async countLive(sid: string): Promise<number> {
      const row = await db
        .selectFrom('board')
        .select((eb) => eb.fn.countAll().as('total'))
        .where('sid', '=', sid)
        .where('deleted', '=', false)
        .executeTakeFirstOrThrow();
      return Number(row.total);
    },

    // Added in SQL, never set: concurrent readers and other instances' counts are never lost.
    addViews: async (bno: number, views: number): Promise<void> => {
      await addViews(bno, views);
    },

    /** False when the post is gone or deleted by now. */
    async edit(bno: number, edit: BoardEdit): Promise<boolean> {
      const result = await db
        .updateTable('board')
        .set({ ...edit, update_date: sql<Date>`now()` })
        .where('bno', '=', bno)
        .where('deleted', '=', false)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async softDelete(bno: number): Promise<boolean> {
      const result = await db.updateTable('board').set({ deleted: true }).where('bno', '=', bno).where('deleted', '=', false).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** False when this user already recommended the post (UNIQUE(bno, user_id) decides, race-free). */
    async addRecommend(bno: number, userId: string): Promise<boolean> {
      const row = await db
        .insertInto('recommend')
        .values({ bno, user_id: userId })
        .onConflict((conflict) => conflict.columns(['bno', 'user_id']).doNothing())
        .returning('rno')
        .executeTakeFirst();
      return row !== undefined;
    },

    async incrementRecommend(bno: number): Promise<boolean> {
      const result = await db
        .updateTable('board')
        .set((eb) => ({ recommend: eb('recommend', '+', 1) }))
        .where('bno', '=', bno)
        .where('deleted', '=', false)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type BoardRepository = ReturnType<typeof boardRepository>;
