import type { ColumnType, Generated } from 'kysely';

export interface SubjectTable {
  id: string;
  title: string;
  /** Sanitized HTML shown on the subject page. */
  description: ColumnType<string, string | undefined, string>;
  /** Id of the user who moderates the subject. */
  admin: string;
  /** Number of posts ever created in the subject (deleted ones included); the next post's s_bno. */
  btotal: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
}
