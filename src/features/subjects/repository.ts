import type { Kysely, Selectable } from 'kysely';
import { compiledQuery } from '../../db/compiled.ts';
import type { Database } from '../../db/schema.ts';
import type { SubjectTable } from '../../db/tables/subject.ts';

export type SubjectRow = Pick<Selectable<SubjectTable>, 'id' | 'title' | 'description' | 'admin'>;

const foreignKeyViolation = '23503';

/** The subject table. Takes a Kysely instance or a transaction, so board creation can lock a row in its own. */
export function subjectRepository(db: Kysely<Database>) {
  const columns = ['id', 'title', 'description', 'admin'] as const;
  // subject/get: compiled once (src/db/compiled.ts).
  const findById = compiledQuery(db, 1, (id: string) => db.selectFrom('subject').select(columns).where('id', '=', id));
  return {
    // The original had no ORDER BY; InnoDB returned primary-key order, which this makes explicit.
    listAll: (): Promise<SubjectRow[]> => db.selectFrom('subject').select(columns).orderBy('id').execute(),

    find: async (id: string): Promise<SubjectRow | undefined> => (await findById(id))[0],

    /** False when the id is taken. */
    async insert(subject: SubjectRow): Promise<boolean> {
      const inserted = await db
        .insertInto('subject')
        .values(subject)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async update({ id, ...fields }: SubjectRow): Promise<boolean> {
      const result = await db.updateTable('subject').set(fields).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** The database refuses while posts (deleted ones too) still reference the subject. */
    async delete(id: string): Promise<'deleted' | 'missing' | 'has-posts'> {
      try {
        const result = await db.deleteFrom('subject').where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n ? 'deleted' : 'missing';
      } catch (error) {
        if ((error as { code?: unknown }).code === foreignKeyViolation) return 'has-posts';
        throw error;
      }
    },

    /** Locks the subject row until the surrounding transaction ends; undefined when there is none. */
    async lockPostCounter(id: string): Promise<number | undefined> {
      const row = await db.selectFrom('subject').select('btotal').where('id', '=', id).forUpdate().executeTakeFirst();
      return row?.btotal;
    },

    setPostCounter: async (id: string, btotal: number): Promise<void> => {
      await db.updateTable('subject').set({ btotal }).where('id', '=', id).execute();
    },
  };
}

export type SubjectRepository = ReturnType<typeof subjectRepository>;
