import type { RecommendTable } from '../db/tables/recommend.ts';
import { alreadyPresent, type Findings } from './findings.ts';
import { rowCheck } from './row-check.ts';
import { rowName, type SourceRecommend } from './source-rows.ts';
import { pairKey, type TargetState } from './target-state.ts';

export type NewRecommend = Omit<RecommendTable, 'rno'> & { rno: number };

/**
 * The original had no unique key on (bno, user_id): a double click could store a recommendation twice.
 * The first row (lowest rno) is kept, the others are left out and listed. Rows whose post is missing have
 * nothing to belong to and are left out too; an unknown user gets a placeholder account (plan-users.ts).
 */
export function planRecommends(rows: SourceRecommend[], knownBnos: Set<number>, target: TargetState, findings: Findings): NewRecommend[] {
  const inserts: NewRecommend[] = [];
  const kept = new Map<string, number>();
  const seen = new Set<number>();
  for (const row of rows) {
    const name = rowName('recommend', row.rno);
    if (seen.has(row.rno)) {
      findings.problem(name, `rno ${row.rno} appears more than once in the source`);
      continue;
    }
    seen.add(row.rno);
    const check = rowCheck(findings, name);
    check.number('rno', row.rno, 1);
    const userId = check.text('user_id', row.user_id, 20, true);
    const bno = check.number('bno', row.bno, 1);
    if (!check.passed()) continue;

    const pair = pairKey(bno, userId);
    if (target.recommendPairs.has(pair)) {
      findings.skip('recommend', alreadyPresent);
      continue;
    }
    if (!knownBnos.has(bno)) {
      findings.skip('recommend', 'post missing');
      findings.note('orphan-recommend', name, `by '${userId}' for bno=${bno}, which is in neither the source nor the target`);
      continue;
    }
    const first = kept.get(pair);
    if (first !== undefined) {
      findings.skip('recommend', 'duplicate');
      findings.note('duplicate-recommend', name, `same post (bno=${bno}) and user ('${userId}') as rno=${first}`);
      continue;
    }
    if (target.recommendRnos.has(row.rno)) {
      findings.problem(name, `rno ${row.rno} is already used in the target by another recommendation`);
      continue;
    }
    kept.set(pair, row.rno);
    inserts.push({ rno: row.rno, bno, user_id: userId });
  }
  return inserts;
}
