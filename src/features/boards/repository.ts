import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { compiledQuery } from '../../db/compiled.ts';
import type { Database } from '../../db/schema.ts';
import type { BoardTable } from '../../db/tables/board.ts';

export type BoardRow = Selectable<BoardTable>;

export type ListedBoardRow = Pick<BoardRow, 'bno' | 's_bno' | 'writer' | 'title' | 'view' | 'recommend' | 'reg_date' | 'pw'>;

export type NewBoardRow = Pick<Insertable<BoardTable>, 'sid' | 's_bno' | 'user_id' | 'writer' | 'title' | 'content' | 'pw'>;

export type BoardEdit = Pick<BoardRow, 'title' | 'content' | 'pw'>;

/** The board and recommend tables. Takes a Kysely instance or a transaction. */
export function boardRepository(db: Kysely<Database>) {
  // board/read (when the post is not in memory) and every post write: compiled once (src/db/compiled.ts).
  const byBno = compiledQuery(db, 1, (bno: number) => db.selectFrom('board').selectAll().where('bno', '=', bno));
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
        .select(['bno', 's_bno', 'writer', 'title', 'view', 'recommend', 'reg_date', 'pw'])
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
