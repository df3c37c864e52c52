import type { Insertable } from 'kysely';
import { sanitizeRichText } from '../content/sanitize.ts';
import type { BoardTable } from '../db/tables/board.ts';
import { secretCodePattern } from '../features/boards/schemas.ts';
import { alreadyPresent, type Findings } from './findings.ts';
import { rowCheck } from './row-check.ts';
import { rowName, type SourceBoard } from './source-rows.ts';
import { slotKey, type TargetBoard, type TargetState } from './target-state.ts';
import { isZeroDate } from './zoned-time.ts';

export type NewBoard = Insertable<BoardTable> & { bno: number; recommend: number };

export interface PlannedBoards {
  inserts: NewBoard[];
  /** The original's recommend counter of each inserted post, to compare with its recommendation rows. */
  sourceCounters: Map<number, number>;
  /** Subject id → the highest s_bno among the posts to insert. */
  highestSBno: Map<string, number>;
  /** Every post a recommendation may point to: the importable ones and those already in the target. */
  knownBnos: Set<number>;
}

/** How the source's date text becomes an instant: DATETIME in the source zone, TIMESTAMP in UTC (see source.ts). */
export interface DateReaders {
  reg_date: (text: string) => Date | undefined;
  update_date: (text: string) => Date | undefined;
}

function checkPw(pw: string | null, check: ReturnType<typeof rowCheck>): void {
  // The code is a secret: describe it, never print it.
  if (pw !== null && pw !== 'nonpw' && !secretCodePattern.test(pw)) {
    check.fail(`pw (${pw.length} characters) is neither NULL, 'nonpw' nor a 6-letter/digit code`);
  }
}

function readDates(row: SourceBoard, dates: DateReaders, check: ReturnType<typeof rowCheck>, findings: Findings) {
  const name = rowName('board', row.bno);
  const regDate = row.reg_date === null ? undefined : dates.reg_date(row.reg_date);
  if (regDate === undefined) check.fail(`reg_date ${row.reg_date === null ? 'is NULL' : `'${row.reg_date}' is not a date`}`);
  let updateDate: Date | null = null;
  if (row.update_date !== null && isZeroDate(row.update_date)) {
    findings.note('adjusted', name, `update_date was '${row.update_date}' (MySQL's "no date"): stored as NULL (never edited)`);
  } else if (row.update_date !== null) {
    updateDate = dates.update_date(row.update_date) ?? null;
    if (updateDate === null) check.fail(`update_date '${row.update_date}' is not a date`);
  }
  return { regDate: regDate ?? new Date(0), updateDate };
}

/** The row in our columns, or undefined (with a problem recorded) when it does not fit them. */
function convert(row: SourceBoard, dates: DateReaders, findings: Findings): Omit<NewBoard, 'recommend'> | undefined {
  const name = rowName('board', row.bno);
  const check = rowCheck(findings, name);
  check.number('bno', row.bno, 1);
  const sid = check.text('sid', row.sid, 50, true);
  const sBno = check.number('s_bno', row.s_bno, 0);
  const userId = check.text('user_id', row.user_id, 20, true);
  const writer = check.optionalText('writer', row.writer, 20);
  const title = check.text('title', row.title, 100);
  const view = check.number('view', row.view, 0, 0);
  checkPw(row.pw, check);
  const { regDate, updateDate } = readDates(row, dates, check, findings);
  if (row.content === null) findings.note('adjusted', name, 'content was NULL: stored as ""');
  if (row.deleted === null) findings.note('adjusted', name, 'deleted was NULL: stored as false (a live post)');
  if (!check.passed()) return undefined;
  return {
    bno: row.bno, sid, s_bno: sBno, user_id: userId, writer, title, content: row.content ?? '', view,
    reg_date: regDate, update_date: updateDate, pw: row.pw, deleted: row.deleted ?? false,
  };
}

const sameBoard = (existing: TargetBoard, board: Omit<NewBoard, 'recommend'>): boolean =>
  existing.sid === board.sid && existing.s_bno === board.s_bno && existing.user_id === board.user_id && existing.reg_date.getTime() === board.reg_date?.getTime();

/** A post that is already in the target is skipped, but only when it is this post: otherwise the target holds other data. */
function placeInTarget(board: Omit<NewBoard, 'recommend'>, target: TargetState, findings: Findings): 'insert' | 'present' | 'conflict' {
  const name = rowName('board', board.bno);
  const existing = target.boards.get(board.bno);
  if (existing) {
    if (sameBoard(existing, board)) return 'present';
    findings.problem(name, `bno ${board.bno} is already used in the target by another post (subject, s_bno, author or date differ): the target holds posts that did not come from this source`);
    return 'conflict';
  }
  const holder = target.boardSlots.get(slotKey(board.sid, board.s_bno));
  if (holder === undefined) return 'insert';
  findings.problem(name, `s_bno ${board.s_bno} of subject '${board.sid}' is already taken in the target by post bno=${holder}`);
  return 'conflict';
}

function sanitized(board: Omit<NewBoard, 'recommend'>, findings: Findings): string {
  const { html, changed } = sanitizeRichText(board.content);
  if (changed) {
    const emptied = html.trim() === '' ? ': nothing allowed was left, stored empty' : '';
    findings.note('sanitized', rowName('board', board.bno), `content changed (scripts, event handlers or other disallowed HTML removed)${emptied}`);
  }
  return html;
}

export function planBoards(rows: SourceBoard[], target: TargetState, dates: DateReaders, findings: Findings, onChecked: () => void): PlannedBoards {
  const planned: PlannedBoards = { inserts: [], sourceCounters: new Map(), highestSBno: new Map(), knownBnos: new Set(target.boards.keys()) };
  const slots = new Map<string, number>();
  const seen = new Set<number>();
  for (const row of rows) {
    onChecked();
    if (seen.has(row.bno)) {
      findings.problem(rowName('board', row.bno), `bno ${row.bno} appears more than once in the source`);
      continue;
    }
    seen.add(row.bno);
    const board = convert(row, dates, findings);
    if (!board) continue;
    const slot = slotKey(board.sid, board.s_bno);
    const twin = slots.get(slot);
    if (twin !== undefined) {
      findings.problem(rowName('board', board.bno), `s_bno ${board.s_bno} of subject '${board.sid}' is also the number of bno=${twin}`);
      continue;
    }
    slots.set(slot, board.bno);
    planned.knownBnos.add(board.bno);
    const place = placeInTarget(board, target, findings);
    if (place === 'present') findings.skip('board', alreadyPresent);
    if (place !== 'insert') continue;

    planned.inserts.push({ ...board, content: sanitized(board, findings), recommend: 0 });
    planned.sourceCounters.set(board.bno, row.recommend ?? 0);
    planned.highestSBno.set(board.sid, Math.max(planned.highestSBno.get(board.sid) ?? -1, board.s_bno));
  }
  return planned;
}
