import type { SourceTable } from './source-rows.ts';

/** Everything the import changed, decided or could not carry over, one heading each in the summary. */
export const noteHeadings = {
  'guest-row': "the original's guest row (the built-in guest account stands in for it)",
  'nick-renamed': 'nicks renamed: another account has them, compared case-insensitively',
  'email-cleared': 'e-mail addresses dropped: another account has them, compared case-insensitively',
  'no-password-login': 'accounts that cannot sign in with a password',
  'placeholder-user': 'placeholder accounts for authors and recommenders without a user row',
  'placeholder-subject': 'placeholder subjects for posts whose subject row is missing',
  'seed-replaced': "the embedded database's sample subjects replaced by the original's",
  sanitized: 'HTML changed by the sanitizer (what the server does to every new write)',
  'counter-corrected': 'recommend counters set to the number of recommendation rows',
  'btotal-raised': 'btotal raised past the highest s_bno, so new posts get free numbers',
  'duplicate-recommend': 'duplicate recommendations left out (same post and user)',
  'orphan-recommend': 'recommendations left out: their post is missing',
  adjusted: 'empty values given the default our schema needs',
  'controls-removed': 'control characters removed from text (NUL and the other C0 controls but TAB, LF and CR, which the API refuses)',
} as const;

export type NoteKind = keyof typeof noteHeadings;

export interface Note {
  kind: NoteKind;
  /** The source row, e.g. `board bno=17` or `user 'alice01'`. */
  row: string;
  detail: string;
}

/** A row the import cannot carry over as it is: nothing is written while any exists. */
export interface Problem {
  row: string;
  message: string;
}

export interface TableTally {
  read: number;
  /** Rows written (or, in a dry run, that would be). */
  written: number;
  /** Why rows were left out, with their number. */
  skipped: Record<string, number>;
}

export const alreadyPresent = 'already in the target';

/** Collects the tallies, notes and problems of one run while the plan is made. */
export class Findings {
  readonly tables: Record<SourceTable, TableTally> = {
    user: { read: 0, written: 0, skipped: {} },
    subject: { read: 0, written: 0, skipped: {} },
    board: { read: 0, written: 0, skipped: {} },
    recommend: { read: 0, written: 0, skipped: {} },
  };
  readonly placeholders = { user: 0, subject: 0 };
  readonly notes: Note[] = [];
  readonly problems: Problem[] = [];

  note(kind: NoteKind, row: string, detail: string): void {
    this.notes.push({ kind, row, detail });
  }

  problem(row: string, message: string): void {
    this.problems.push({ row, message });
  }

  skip(table: SourceTable, reason: string): void {
    const skipped = this.tables[table].skipped;
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  }

  write(table: SourceTable, count = 1): void {
    this.tables[table].written += count;
  }
}
