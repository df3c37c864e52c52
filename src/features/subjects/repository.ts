import type { Db } from '../../db/index.ts';

export function subjectRepository(db: Db) {
  return {
    // The original had no ORDER BY; InnoDB returned primary-key order, which this makes explicit.
    listAll: () => db.selectFrom('subject').select(['id', 'title', 'description', 'admin']).orderBy('id').execute(),
  };
}

export type SubjectRepository = ReturnType<typeof subjectRepository>;
