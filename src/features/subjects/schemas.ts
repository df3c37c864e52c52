import { z } from 'zod';

/** A subject as the original serialises it (forum-api.md §2.3): all five keys, always present. */
export const subjectSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().describe('sanitized HTML'),
  admin: z.string().describe('id of the moderating user'),
  btotal: z.number().int().describe('always 0 in listings, as in the original'),
});

export type Subject = z.infer<typeof subjectSchema>;
