import type { ColumnType, Generated } from 'kysely';

export interface BoardTable {
  bno: Generated<number>;
  sid: string;
  /** 0-based number of the post inside its subject. */
  s_bno: number;
  user_id: string;
  /** The author's nick when the post was written (a snapshot, as in the original). */
  writer: string | null;
  title: string;
  content: string;
  view: ColumnType<number, number | undefined, number>;
  recommend: ColumnType<number, number | undefined, number>;
  reg_date: ColumnType<Date, Date | undefined, Date>;
  update_date: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** null = public, 'nonpw' = author and admins only, otherwise a 6-character access code. */
  pw: string | null;
  deleted: ColumnType<boolean, boolean | undefined, boolean>;
}
