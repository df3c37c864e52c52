import { z } from 'zod';
import { notModified, revalidationHeaders, sendJson, sendRevalidated } from '../../http/revalidated.ts';
import { callerOf, route, type AnyRoute } from '../../http/routes.ts';
import { hour, limitWrites, type WriteLimit } from '../../http/write-limits.ts';
import {
  newSubjectSchema,
  subjectDeleteQuerySchema,
  subjectQuerySchema,
  subjectSchema,
  subjectUpdateSchema,
} from './schemas.ts';
import type { SubjectService } from './service.ts';

const tag = 'subjects';
const subjectWrites: WriteLimit = { windowMs: hour, perUser: 60, perAddress: 120 };
const tooManyWrites = { description: 'too many subject writes from this account or this address within an hour' };
const descriptionLimits = {
  413: { description: 'description over 1,000,000 characters, as sent or once cleaned (CONTENT_TOO_LARGE)' },
  429: tooManyWrites,
  503: { description: 'no sanitizer thread was free in time: retry (BUSY)' },
};

export function subjectRoutes(subjects: SubjectService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/ajax/subject/regi',
      tag,
      summary: 'Create a subject (administrators only)',
      body: newSubjectSchema,
      before: limitWrites('subject-regi', subjectWrites),
      responses: {
        200: { description: 'the new subject id, as a bare JSON string', body: z.string() },
        400: { description: 'invalid field (admin must be an existing user), or the caller is not an administrator (ADMIN_ONLY)' },
        409: { description: 'a subject with this id exists (SUBJECT_EXISTS)' },
        ...descriptionLimits,
      },
      handle: async ({ res, user, body }) => {
        res.json(await subjects.register(callerOf(user), body));
      },
    }),
    route({
      method: 'get',
      path: '/ajax/subject/get',
      tag,
      summary: 'One subject',
      query: subjectQuerySchema,
      responses: {
        200: { description: 'the subject', body: subjectSchema },
        404: { description: 'no such subject (the original answered 200 null)' },
      },
      handle: async ({ res, query }) => {
        sendJson(res, await subjects.get(query.sid));
      },
    }),
    route({
      method: 'get',
      path: '/ajax/subject/all',
      tag,
      summary: 'Every subject (board category), in id order',
      responses: {
        200: { description: 'the subjects', body: z.array(subjectSchema), headers: revalidationHeaders },
        304: notModified,
      },
      handle: async ({ req, res }) => {
        sendRevalidated(req, res, await subjects.all());
      },
    }),
    route({
      method: 'post',
      path: '/ajax/subject/update',
      tag,
      summary: "Change a subject's title, description and admin (administrators and the subject's admin)",
      body: subjectUpdateSchema,
      before: limitWrites('subject-update', subjectWrites),
      responses: {
        200: { description: 'updated (empty body)' },
        400: { description: "invalid field, or the caller is neither an administrator nor the subject's admin (NOT_SUBJECT_ADMIN)" },
        404: { description: 'no such subject' },
        ...descriptionLimits,
      },
      handle: async ({ res, user, body }) => {
        await subjects.update(callerOf(user), body);
        res.status(200).end();
      },
    }),
    route({
      method: 'post',
      path: '/ajax/subject/delete',
      tag,
      summary: 'Delete a subject that has no posts (administrators only)',
      query: subjectDeleteQuerySchema,
      before: limitWrites('subject-delete', subjectWrites),
      responses: {
        200: { description: 'deleted (empty body)' },
        400: { description: 'missing subject, or the caller is not an administrator (ADMIN_ONLY)' },
        404: { description: 'no such subject' },
        409: { description: 'the subject still has posts, deleted ones included (SUBJECT_HAS_POSTS)' },
        429: tooManyWrites,
      },
      handle: async ({ res, user, query }) => {
        await subjects.remove(callerOf(user), query.subject);
        res.status(200).end();
      },
    }),
  ];
}
