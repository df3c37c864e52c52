import { sanitizeRichText } from '../content/sanitize.ts';
import { seedSubjects } from '../db/seed.ts';
import { alreadyPresent, type Findings } from './findings.ts';
import { rowCheck } from './row-check.ts';
import { rowName, type SourceSubject } from './source-rows.ts';
import type { TargetState } from './target-state.ts';

export interface NewSubject {
  id: string;
  title: string;
  description: string;
  admin: string;
  btotal: number;
}

export interface PlannedSubjects {
  inserts: NewSubject[];
  /** Sample subjects of the embedded database that the original's subject of the same id replaces. */
  replacements: NewSubject[];
}

/** A sample subject nobody has touched: same text as seeded and no posts. */
function untouchedSeed(id: string, target: TargetState): boolean {
  const existing = target.subjects.get(id);
  const seed = seedSubjects.find((subject) => subject.id === id);
  return !!existing && !!seed && existing.posts === 0 && existing.title === seed.title && existing.description === seed.description && existing.admin === seed.admin;
}

function convert(row: SourceSubject, highestSBno: Map<string, number>, findings: Findings): NewSubject | undefined {
  const name = rowName('subject', row.id);
  const check = rowCheck(findings, name);
  const id = check.text('id', row.id, 50, true);
  const title = check.text('title', row.title, 100);
  const admin = check.optionalText('admin', row.admin, 20);
  const btotal = check.number('btotal', row.btotal, 0, 0);
  if (!check.passed()) return undefined;
  if (admin === null) findings.note('adjusted', name, 'admin was NULL: stored as "" (no moderator; administrators can still edit it)');

  const { html, changed } = sanitizeRichText(row.description ?? '');
  if (changed) findings.note('sanitized', name, 'description changed (scripts, event handlers or other disallowed HTML removed)');
  // The original's own counter may lag behind its posts (it was not transactional, forum-api.md §5.23).
  const needed = (highestSBno.get(id) ?? -1) + 1;
  if (btotal < needed) findings.note('btotal-raised', name, `btotal ${btotal} is not above the highest s_bno (${needed - 1}): stored as ${needed}`);
  return { id, title, description: html, admin: admin ?? '', btotal: Math.max(btotal, needed) };
}

/**
 * The subjects to insert, the sample subjects to replace, and placeholder subjects for the ids posts name
 * without a subject row (title = the id, no moderator), so that no post is lost.
 */
export function planSubjects(rows: SourceSubject[], highestSBno: Map<string, number>, target: TargetState, findings: Findings): PlannedSubjects {
  const planned: PlannedSubjects = { inserts: [], replacements: [] };
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) {
      findings.problem(rowName('subject', row.id), `id '${row.id}' appears more than once in the source`);
      continue;
    }
    seen.add(row.id);
    if (target.subjects.has(row.id) && !untouchedSeed(row.id, target)) {
      findings.skip('subject', alreadyPresent);
      continue;
    }
    const subject = convert(row, highestSBno, findings);
    if (!subject) continue;
    if (target.subjects.has(subject.id)) {
      findings.note('seed-replaced', rowName('subject', subject.id), "the embedded database's sample subject of this id (unchanged, no posts) takes the original's title, description and admin");
      planned.replacements.push(subject);
    } else planned.inserts.push(subject);
  }
  for (const [sid, highest] of highestSBno) {
    if (seen.has(sid) || target.subjects.has(sid)) continue;
    findings.placeholders.subject += 1;
    findings.note('placeholder-subject', rowName('subject', sid), 'created for the posts that name it: title = its id, no description, no moderator');
    planned.inserts.push({ id: sid, title: sid, description: '', admin: '', btotal: highest + 1 });
  }
  return planned;
}
