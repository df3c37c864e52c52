import { z } from 'zod';
import { int32Max, lenientInt, requiredText, text } from '../../http/fields.ts';

/** A post number: a JSON number or a numeric string (the front end sends "57" on update and delete). */
export const bnoSchema = lenientInt({ min: 1, max: int32Max }).describe('post number (bno)');

export const secretCodePattern = /^[a-zA-Z0-9]{6}$/;
const pwMessage = 'must be null, "nonpw" or 6 letters and digits';

/** null = public, "nonpw" = author (and administrators) only, 6 letters/digits = readable with that code. */
const postPw = z
  .union([z.null(), z.literal('nonpw'), text().regex(secretCodePattern, pwMessage)], { error: pwMessage })
  .optional()
  .transform((pw) => pw ?? null)
  .describe('null (public), "nonpw" (author only) or a 6-character code');

const postFields = {
  title: requiredText(100),
  content: text().describe('HTML; sanitized before it is stored'),
  pw: postPw,
};

export const newBoardSchema = z.object({ sid: text().min(1, 'must not be empty'), ...postFields });
export type NewBoard = z.infer<typeof newBoardSchema>;

export const boardUpdateSchema = z.object({ bno: bnoSchema, ...postFields });
export type BoardUpdate = z.infer<typeof boardUpdateSchema>;

export const boardListQuerySchema = z.object({
  sid: text('is required').describe('subject id'),
  page: lenientInt({ min: 1, max: int32Max }).describe('1 = the newest 30 posts'),
});

export const boardQuerySchema = z.object({ bno: bnoSchema });

export const secretReadQuerySchema = z.object({
  bno: bnoSchema,
  pw: text('is required').regex(secretCodePattern, 'must be 6 letters and digits').describe('the post code (case-sensitive)'),
});

/** The original's Board JSON (forum-api.md §2.3): all 13 keys, always present, in this order. */
export const boardSchema = z.object({
  bno: z.number().int(),
  sid: z.string().nullable(),
  s_bno: z.number().int(),
  user_id: z.literal('id').nullable().describe('"id" when the caller wrote the post, else null; the real id is never sent'),
  writer: z.string().nullable().describe("the author's nick when the post was written"),
  title: z.string(),
  content: z.string().nullable(),
  view: z.number().int(),
  recommend: z.number().int(),
  reg_date: z.string().describe('"YYYY-MM-DD HH:MM:SS" in APP_TIME_ZONE'),
  update_date: z.string().nullable().describe('"YYYY-MM-DD HH:MM:SS" in APP_TIME_ZONE; null until edited'),
  pw: z.string().nullable().describe('null (public), the real value for the author, "pw" for everyone else'),
  deleted: z.boolean().nullable(),
});
export type BoardJson = z.infer<typeof boardSchema>;

export const boardListItemSchema = boardSchema
  .extend({
    sid: z.null(),
    user_id: z.null(),
    content: z.null(),
    update_date: z.null(),
    pw: z.enum(['pw']).nullable().describe('"pw" for any secret post, else null'),
    deleted: z.null(),
  })
  .describe('a list entry: the Board keys the list fills, the rest null');
