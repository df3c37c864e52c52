import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NewBoard } from './plan-boards.ts';
import type { NewRecommend } from './plan-recommends.ts';
import type { NewSubject } from './plan-subjects.ts';

export interface WritableUser {
  id: string;
  /** A password hash by now, or null. */
  pw: string | null;
  nick: string;
  email: string | null;
  auth: number;
}

export interface WritePlan {
  users: WritableUser[];
  subjects: { inserts: NewSubject[]; replacements: NewSubject[] };
  boards: NewBoard[];
  recommends: NewRecommend[];
  /** Posts already in the target that receive new recommendations: their counter is recounted. */
  recount: number[];
  /** Subjects whose btotal must end above every s_bno they hold. */
  touchedSubjects: string[];
}

export interface WriteResult {
  /** The next bno and rno the server will hand out. */
  nextBno: number | null;
  nextRno: number | null;
}

// Bounded by rows (PostgreSQL takes at most 65535 parameters per statement) and by text (one statement
// should not carry a hundred megabytes of posts).
const maxBatchBytes = 4 * 1024 * 1024;

function* batches<T>(rows: T[], maxRows: number, bytesOf: (row: T) => number = () => 0): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = bytesOf(row);
    if (batch.length > 0 && (batch.length >= maxRows || bytes + size > maxBatchBytes)) {
      yield batch;
      [batch, bytes] = [[], 0];
    }
    batch.push(row);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Moves an identity sequence past the highest id in its table, so the server's next insert cannot collide. */
async function moveSequence(trx: Kysely<Database>, table: 'board' | 'recommend', column: 'bno' | 'rno'): Promise<number | null> {
  const { rows } = await sql<{ next: number | null }>`
    select setval(pg_get_serial_sequence(${table}, ${column}), max_id) + 1 as next
    from (select max(${sql.ref(column)}) as max_id from ${sql.table(table)}) as highest where max_id is not null`.execute(trx);
  return rows[0]?.next === undefined || rows[0].next === null ? null : Number(rows[0].next);
}

/** A statement of the write failed; `rows` names the batch it was writing. */
export class WriteFailure extends Error {
  readonly rows: string;
  constructor(rows: string, cause: unknown) {
    super((cause as Error).message ?? String(cause), { cause });
    this.rows = rows;
  }
}

async function writeBatches<T>(rows: T[], batchOf: (rows: T[]) => Generator<T[]>, nameOf: (row: T) => string, write: (batch: T[]) => Promise<unknown>, onWritten: (rows: number) => void) {
  for (const batch of batchOf(rows)) {
    try {
      await write(batch);
    } catch (error) {
      const [first, last] = [nameOf(batch[0]!), nameOf(batch.at(-1)!)];
      throw new WriteFailure(first === last ? first : `${first} … ${last}`, error);
    }
    onWritten(batch.length);
  }
}

/**
 * Writes the plan inside the caller's transaction (run.ts: one for the whole import). Batches only bound the
 * size of each statement. The recommend counters, btotal and sequences are settled from the rows as they
 * then stand.
 */
export async function writePlan(trx: Kysely<Database>, plan: WritePlan, batchSize: number, onWritten: (rows: number) => void): Promise<WriteResult> {
  const byCount = <T>(rows: T[]) => batches(rows, batchSize);
  await writeBatches(plan.users, byCount, (user) => `user '${user.id}'`, (batch) => trx.insertInto('user').values(batch).execute(), onWritten);
  const bySize = (rows: NewSubject[]) => batches(rows, batchSize, (subject) => subject.description.length);
  await writeBatches(plan.subjects.inserts, bySize, (subject) => `subject '${subject.id}'`, (batch) => trx.insertInto('subject').values(batch).execute(), onWritten);
  const replace = (batch: NewSubject[]) => {
    const { id, ...subject } = batch[0]!;
    return trx.updateTable('subject').set(subject).where('id', '=', id).execute();
  };
  await writeBatches(plan.subjects.replacements, (rows) => batches(rows, 1), (subject) => `subject '${subject.id}'`, replace, onWritten);
  const byContent = (rows: NewBoard[]) => batches(rows, batchSize, (board) => board.content.length + board.title.length);
  await writeBatches(plan.boards, byContent, (board) => `board bno=${board.bno}`, (batch) => trx.insertInto('board').values(batch).execute(), onWritten);
  await writeBatches(plan.recommends, byCount, (recommend) => `recommend rno=${recommend.rno}`, (batch) => trx.insertInto('recommend').values(batch).execute(), onWritten);
  if (plan.recount.length > 0) {
    await sql`update board set recommend = (select count(*) from recommend where recommend.bno = board.bno)
              where bno = any(${plan.recount}::int[])`.execute(trx);
  }
  if (plan.touchedSubjects.length > 0) {
    await sql`update subject set btotal = greatest(btotal, coalesce((select max(s_bno) + 1 from board where board.sid = subject.id), 0))
              where id = any(${plan.touchedSubjects}::text[])`.execute(trx);
  }
  return { nextBno: await moveSequence(trx, 'board', 'bno'), nextRno: await moveSequence(trx, 'recommend', 'rno') };
}
