import { z } from 'zod';
import { atMostCharacters, requiredText, text } from '../../http/fields.ts';

/** A subject as the original serialises it (forum-api.md §2.3): all five keys, always present. */
export const subjectSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().describe('sanitized HTML'),
  admin: z.string().describe('id of the moderating user'),
  btotal: z.number().int().describe('always 0, as in the original (not selected)'),
});

export type Subject = z.infer<typeof subjectSchema>;

// Subject ids appear in front-end URLs (/board/<sid>): a lower-case slug, as long as the column allows.
const subjectId = text()
  .max(50, 'must be at most 50 characters')
  .regex(/^[a-z0-9]+(?:[\-_][a-z0-9]+)*$/, 'must be a slug: lower-case letters and digits, single "-" or "_" between them');

const subjectFields = {
  title: requiredText(100),
  // The original stored whatever came, null included; null and absent mean "no description".
  description: text()
    .nullish()
    .transform((value) => value ?? '')
    .describe('HTML; sanitized before it is stored'),
  admin: atMostCharacters(text().min(1, 'must not be empty'), 20).describe(
    'id of an existing user (one that does not exist is refused: 400 VALIDATION_FAILED naming admin)',
  ),
};

export const newSubjectSchema = z.object({ id: subjectId, ...subjectFields });
export type NewSubject = z.infer<typeof newSubjectSchema>;

// Existing ids are matched as they are: subjects imported from the original may predate the slug rule.
export const subjectUpdateSchema = z.object({ id: text().min(1, 'must not be empty'), ...subjectFields });
export type SubjectUpdate = z.infer<typeof subjectUpdateSchema>;

export const subjectQuerySchema = z.object({ sid: text('is required').describe('subject id') });
export const subjectDeleteQuerySchema = z.object({ subject: text('is required').min(1, 'must not be empty').describe('subject id') });
