import type { Findings } from './findings.ts';
import { planBoards, type DateReaders, type NewBoard } from './plan-boards.ts';
import { planRecommends, type NewRecommend } from './plan-recommends.ts';
import { planSubjects, type PlannedSubjects } from './plan-subjects.ts';
import { planUsers, type NewUser } from './plan-users.ts';
import { rowName, type SourceRows } from './source-rows.ts';
import type { TargetState } from './target-state.ts';

/** What the import will write; passwords are still plaintext here (hashed right before the write). */
export interface ImportPlan {
  users: NewUser[];
  subjects: PlannedSubjects;
  boards: NewBoard[];
  recommends: NewRecommend[];
  recount: number[];
  touchedSubjects: string[];
}

/**
 * Recommend counters follow the recommendation rows (deduplicated), not the original's counter: the rows are
 * what decides "already recommended", and the original's separate counter update could drift from them.
 */
function settleCounters(boards: NewBoard[], recommends: NewRecommend[], sourceCounters: Map<number, number>, findings: Findings): number[] {
  const rowsPerPost = new Map<number, number>();
  for (const { bno } of recommends) rowsPerPost.set(bno, (rowsPerPost.get(bno) ?? 0) + 1);
  for (const board of boards) {
    board.recommend = rowsPerPost.get(board.bno) ?? 0;
    const counter = sourceCounters.get(board.bno) ?? 0;
    if (counter !== board.recommend) {
      findings.note('counter-corrected', rowName('board', board.bno), `recommend was ${counter}, the recommendation rows say ${board.recommend}: stored ${board.recommend}`);
    }
    rowsPerPost.delete(board.bno);
  }
  return [...rowsPerPost.keys()];
}

/**
 * Checks every source row against our schema and the target's contents, and decides what to write.
 * `onPostChecked` follows the slow part: every post goes through the HTML sanitizer.
 */
export async function makePlan(rows: SourceRows, target: TargetState, dates: DateReaders, findings: Findings, onPostChecked: () => void): Promise<ImportPlan> {
  const boards = planBoards(rows.board, target, dates, findings, onPostChecked);
  const recommends = planRecommends(rows.recommend, boards.knownBnos, target, findings);
  const users = await planUsers(rows.user, { posts: boards.inserts, recommends }, target, findings);
  const subjects = planSubjects(rows.subject, boards.highestSBno, target, findings);
  const recount = settleCounters(boards.inserts, recommends, boards.sourceCounters, findings);

  findings.write('user', users.length - findings.placeholders.user);
  findings.write('subject', subjects.inserts.length + subjects.replacements.length - findings.placeholders.subject);
  findings.write('board', boards.inserts.length);
  findings.write('recommend', recommends.length);
  const touchedSubjects = new Set([...subjects.inserts, ...subjects.replacements].map((subject) => subject.id));
  for (const board of boards.inserts) touchedSubjects.add(board.sid);
  return { users, subjects, boards: boards.inserts, recommends, recount, touchedSubjects: [...touchedSubjects] };
}
