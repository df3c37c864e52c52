import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

export interface TargetBoard {
  sid: string;
  s_bno: number;
  user_id: string;
  reg_date: Date;
}

/** What the target database already holds, as far as the import needs to know to avoid conflicts. */
export interface TargetState {
  /** id → its lower(nick) and lower(email), the keys of the unique indexes user_nick_key and user_email_key. */
  users: Map<string, { nickKey: string; emailKey: string | null }>;
  subjects: Map<string, { title: string; description: string; admin: string; posts: number }>;
  boards: Map<number, TargetBoard>;
  /** `sid s_bno` → the bno that holds that number. */
  boardSlots: Map<string, number>;
  /** `bno user_id` of every recommendation, and every rno in use. */
  recommendPairs: Set<string>;
  recommendRnos: Set<number>;
  /** lower() as the database computes it, which is what its unique indexes compare. */
  lower(values: Iterable<string>): Promise<Map<string, string>>;
}

export const slotKey = (sid: string, sBno: number): string => `${sid}\u0000${sBno}`;
export const pairKey = (bno: number, userId: string): string => `${bno}\u0000${userId}`;

const lowerBatch = 1000;

export async function readTargetState(db: Db): Promise<TargetState> {
  const users = await db
    .selectFrom('user')
    .select(['id', (eb) => eb.fn<string>('lower', ['nick']).as('nick_key'), (eb) => eb.fn<string | null>('lower', ['email']).as('email_key')])
    .execute();
  const subjects = await db.selectFrom('subject').select(['id', 'title', 'description', 'admin']).execute();
  const boards = await db.selectFrom('board').select(['bno', 'sid', 's_bno', 'user_id', 'reg_date']).execute();
  const postsBySubject = new Map<string, number>();
  for (const { sid } of boards) postsBySubject.set(sid, (postsBySubject.get(sid) ?? 0) + 1);
  const recommends = await db.selectFrom('recommend').select(['rno', 'bno', 'user_id']).execute();

  return {
    users: new Map(users.map((row) => [row.id, { nickKey: row.nick_key, emailKey: row.email_key }])),
    subjects: new Map(subjects.map(({ id, ...subject }) => [id, { ...subject, posts: postsBySubject.get(id) ?? 0 }])),
    boards: new Map(boards.map(({ bno, ...board }) => [bno, board])),
    boardSlots: new Map(boards.map((board) => [slotKey(board.sid, board.s_bno), board.bno])),
    recommendPairs: new Set(recommends.map((row) => pairKey(row.bno, row.user_id))),
    recommendRnos: new Set(recommends.map((row) => row.rno)),
    async lower(values) {
      const distinct = [...new Set(values)];
      const lowered = new Map<string, string>();
      for (let start = 0; start < distinct.length; start += lowerBatch) {
        const chunk = distinct.slice(start, start + lowerBatch);
        const { rows } = await sql<{ value: string; lowered: string }>`
          select value, lower(value) as lowered from (values ${sql.join(chunk.map((value) => sql`(${value}::text)`))}) as given(value)`.execute(db);
        for (const row of rows) lowered.set(row.value, row.lowered);
      }
      return lowered;
    },
  };
}
