import { z } from 'zod';
import { atMostCharacters, text } from '../../http/fields.ts';

const required = (field: string) =>
  text((issue) => (issue.input === undefined ? `${field} is required` : `${field} must be given once`)).min(1, `${field} is required`);

/** GET /ajax/auth/email/verify?id=&key= — the two halves of the link's path /auth/email/<id>/<key>. */
export const verifyQuery = z.object({ id: atMostCharacters(required('id'), 20), key: atMostCharacters(required('key'), 100) });
