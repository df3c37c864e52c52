import { refusedControl } from '../http/fields.ts';

const everyRefusedControl = new RegExp(refusedControl.source, 'g');
const codePoint = (char: string) => `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The row with NUL and the other C0 controls the API refuses (src/http/fields.ts: all but TAB, LF and CR)
 * removed from its text columns, and what was removed, per column. MySQL stores a NUL in text; PostgreSQL
 * cannot, so one such row aborted the whole import (issue 14).
 */
export function withoutRefusedControls<Row extends object>(row: Row): { row: Row; removed: string[] } {
  const removed: string[] = [];
  const clean = { ...row } as Record<string, unknown>;
  for (const [column, value] of Object.entries(row)) {
    if (typeof value !== 'string' || !refusedControl.test(value)) continue;
    const found = value.match(everyRefusedControl) ?? [];
    clean[column] = value.replace(everyRefusedControl, '');
    removed.push(`${column}: ${found.length} removed (${[...new Set(found)].map(codePoint).join(', ')})`);
  }
  return { row: clean as Row, removed };
}
