import type { Findings } from './findings.ts';
import { characters } from './source-rows.ts';

/**
 * The checks one source row must pass to fit our columns. Every failure of the row is collected, so the
 * operator sees all of them in one run; `passed()` records them as one problem naming the row.
 */
export function rowCheck(findings: Findings, row: string) {
  const issues: string[] = [];
  const tooLong = (field: string, value: string, max: number) => {
    const length = characters(value);
    if (length > max) issues.push(`${field} has ${length} characters, ours holds ${max}`);
  };
  return {
    /** Text that must be there (NOT NULL); `nonEmpty` also refuses "" (keys and names). */
    text(field: string, value: string | null, max: number, nonEmpty = false): string {
      if (value === null) issues.push(`${field} is NULL`);
      else if (nonEmpty && value.trim() === '') issues.push(`${field} is empty`);
      else tooLong(field, value, max);
      return value ?? '';
    },

    optionalText(field: string, value: string | null, max: number): string | null {
      if (value !== null) tooLong(field, value, max);
      return value;
    },

    /** A whole number of at least `min`; NULL becomes `fallback` (with a note) when one is given. */
    number(field: string, value: number | null, min: number, fallback?: number): number {
      if (value === null && fallback !== undefined) {
        findings.note('adjusted', row, `${field} was NULL: stored as ${fallback}`);
        return fallback;
      }
      if (value === null) issues.push(`${field} is NULL`);
      else if (value < min) issues.push(`${field} is ${value}, below ${min}`);
      return value ?? min;
    },

    fail(message: string): void {
      issues.push(message);
    },

    passed(): boolean {
      if (issues.length > 0) findings.problem(row, issues.join('; '));
      return issues.length === 0;
    },
  };
}
