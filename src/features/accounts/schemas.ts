import { z } from 'zod';

/** The original's User JSON (forum-api.md §2.3); auth is the integer role of §1.4. */
export const userSchema = z.object({
  id: z.string(),
  nick: z.string(),
  email: z.string().nullable(),
  auth: z.number().int().min(0).max(3),
});

export type User = z.infer<typeof userSchema>;
