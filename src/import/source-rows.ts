import { z } from 'zod';
import { int32Max } from '../http/fields.ts';

// The original's four tables as its MyBatis mappers used them (forum-api.md §3.1). There is no DDL, so each
// value is taken in whatever shape the driver hands it over: text may arrive as a Buffer (binary collations,
// BLOB), integers as strings (BIGINT), flags as numbers, booleans or BIT(1) buffers.

const text = z.union([z.string(), z.instanceof(Buffer).transform((bytes) => bytes.toString('utf8'))], { error: 'expected text' });
const integer = z
  .union([z.number(), z.bigint().transform(Number), z.string().regex(/^-?\d+$/).transform(Number)], { error: 'expected a whole number' })
  .pipe(z.number().int('expected a whole number').min(-2_147_483_648, 'does not fit a 32-bit integer').max(int32Max, 'does not fit a 32-bit integer'));
const flag = z.union(
  [
    z.boolean(),
    z.number().transform((value) => value !== 0),
    z.string().regex(/^\d+$/).transform((value) => Number(value) !== 0),
    z.instanceof(Buffer).transform((bytes) => bytes.some((byte) => byte !== 0)),
  ],
  { error: 'expected 0/1 or true/false' },
);
/** MySQL DATETIME/TIMESTAMP read with `dateStrings`: "YYYY-MM-DD HH:MM:SS[.fff]", zone applied later. */
const dateText = z.string({ error: 'expected a date' });

const maybe = <T extends z.ZodType>(type: T) => type.nullable();

export const sourceRowSchemas = {
  user: z.object({ id: text, pw: maybe(text), nick: maybe(text), email: maybe(text), auth: maybe(integer) }),
  subject: z.object({ id: text, title: maybe(text), description: maybe(text), admin: maybe(text), btotal: maybe(integer) }),
  board: z.object({
    bno: integer,
    sid: maybe(text),
    s_bno: maybe(integer),
    user_id: maybe(text),
    writer: maybe(text),
    title: maybe(text),
    content: maybe(text),
    view: maybe(integer),
    recommend: maybe(integer),
    reg_date: maybe(dateText),
    update_date: maybe(dateText),
    pw: maybe(text),
    deleted: maybe(flag),
  }),
  recommend: z.object({ rno: integer, bno: maybe(integer), user_id: maybe(text) }),
};

export type SourceTable = keyof typeof sourceRowSchemas;
export const sourceTables = Object.keys(sourceRowSchemas) as SourceTable[];

/** Each table's key: rows are read in its order and named by it in every message. */
export const sourceKeys = { user: 'id', subject: 'id', board: 'bno', recommend: 'rno' } as const satisfies Record<SourceTable, string>;

export type SourceUser = z.output<typeof sourceRowSchemas.user>;
export type SourceSubject = z.output<typeof sourceRowSchemas.subject>;
export type SourceBoard = z.output<typeof sourceRowSchemas.board>;
export type SourceRecommend = z.output<typeof sourceRowSchemas.recommend>;

export interface SourceRows {
  user: SourceUser[];
  subject: SourceSubject[];
  board: SourceBoard[];
  recommend: SourceRecommend[];
}

export const columnsOf = (table: SourceTable): string[] => Object.keys(sourceRowSchemas[table].shape);

/** How a row is named in messages: `user 'alice01'`, `board bno=17`. */
export function rowName(table: SourceTable, key: unknown): string {
  return table === 'user' || table === 'subject' ? `${table} '${String(key)}'` : `${table} ${sourceKeys[table]}=${String(key)}`;
}

/** Characters as PostgreSQL's varchar(n) counts them (code points, not UTF-16 units). */
export const characters = (value: string): number => [...value].length;
