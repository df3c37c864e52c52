import { z } from 'zod';
import { route, type AnyRoute } from '../../http/routes.ts';
import { subjectSchema } from './schemas.ts';
import type { SubjectService } from './service.ts';

export function subjectRoutes(subjects: SubjectService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/ajax/subject/all',
      tag: 'subjects',
      summary: 'Every subject (board category), in id order',
      responses: { 200: { description: 'the subjects', body: z.array(subjectSchema) } },
      handle: async ({ res }) => {
        res.json(await subjects.all());
      },
    }),
  ];
}
