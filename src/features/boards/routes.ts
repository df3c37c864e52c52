import type { Request } from 'express';
import { z } from 'zod';
import { clientKey, limitRate } from '../../http/rate-limit.ts';
import { notModified, revalidationHeaders, sendRevalidated } from '../../http/revalidated.ts';
import { callerOf, route, type AnyRoute } from '../../http/routes.ts';
import { hour, limitWrites } from '../../http/write-limits.ts';
import {
  bnoSchema,
  boardListItemSchema,
  boardListQuerySchema,
  boardQuerySchema,
  boardSchema,
  boardUpdateSchema,
  newBoardSchema,
  secretReadQuerySchema,
} from './schemas.ts';
import { pageSize, type BoardService } from './service.ts';

const tag = 'boards';
const tooManyWrites = { description: 'too many of these writes from this account or this address within an hour (TOO_MANY_REQUESTS)' };
const tooLarge = { description: 'content over 1,000,000 characters, as sent or once cleaned (CONTENT_TOO_LARGE)' };
const busy = { description: 'no sanitizer thread was free in time: retry (BUSY)' };
const postNotFound = { description: 'no such post, or it was deleted (BOARD_NOT_FOUND)' };

// 62^6 codes: ten guesses per post and client every ten minutes make guessing hopeless while a reader who
// mistypes still gets in. The key uses the parsed number, so "57", "057" and "+57" share one counter.
const readSecretLimit = { windowMs: 10 * 60_000, limit: 10 };
const postKey = (req: Request) => {
  const bno = bnoSchema.safeParse(req.query.bno);
  return `${clientKey(req)}:${bno.success ? bno.data : 'invalid'}`;
};

export function boardRoutes(boards: BoardService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/ajax/board/create',
      tag,
      summary: 'Write a post (verified accounts, guests and administrators)',
      body: newBoardSchema,
      before: limitWrites('board-create', { windowMs: hour, perUser: 60, perAddress: 200 }),
      responses: {
        200: { description: 'the new post number, as a bare JSON number', body: z.number().int() },
        400: { description: 'invalid field (title, content, pw, sid); content with too many or too deeply nested elements (CONTENT_TOO_COMPLEX)' },
        401: { description: 'no valid token, or the role may not post (CANNOT_POST)' },
        404: { description: 'no such subject (SUBJECT_NOT_FOUND)' },
        413: tooLarge,
        429: tooManyWrites,
        503: busy,
      },
      handle: async ({ res, user, body }) => {
        res.json(await boards.create(callerOf(user), body));
      },
    }),
    route({
      method: 'get',
      path: '/ajax/board/list',
      tag,
      summary: `One page of a subject's posts (${pageSize} per page, page 1 = newest), in ascending s_bno order`,
      query: boardListQuerySchema,
      responses: {
        200: {
          description: 'the page (an unknown subject has none)',
          body: z.array(boardListItemSchema),
          headers: { 'X-Total-Count': 'number of live posts in the subject', ...revalidationHeaders },
        },
        304: notModified,
      },
      handle: async ({ req, res, query }) => {
        const page = await boards.list(query.sid, query.page);
        res.setHeader('X-Total-Count', String(page.total));
        sendRevalidated(req, res, page);
      },
    }),
    route({
      method: 'get',
      path: '/ajax/board/read',
      tag,
      summary: 'Read a post (counts a view)',
      query: boardQuerySchema,
      responses: {
        200: { description: 'the post, as it was before this view was counted', body: boardSchema },
        401: { description: 'a secret post only its author may read (SECRET_POST_OWNER_ONLY)' },
        404: postNotFound,
        428: { description: 'a secret post that opens with its code: use read-secret (SECRET_POST_NEEDS_CODE)' },
      },
      handle: async ({ res, user, query }) => {
        res.json(await boards.read(user, query.bno));
      },
    }),
    route({
      method: 'get',
      path: '/ajax/board/read-secret',
      tag,
      summary: 'Open a secret post with its code (does not count a view)',
      query: secretReadQuerySchema,
      before: [limitRate({ name: 'read-secret', ...readSecretLimit, key: postKey })],
      responses: {
        200: { description: 'the post (a public post is answered whatever the code)', body: boardSchema },
        400: { description: 'malformed code, or the code does not open the post (WRONG_SECRET_CODE)' },
        404: postNotFound,
        429: { description: `more than ${readSecretLimit.limit} attempts on this post from this client within 10 minutes` },
      },
      handle: async ({ res, user, query }) => {
        res.json(await boards.readSecret(user, query.bno, query.pw));
      },
    }),
    route({
      method: 'post',
      path: '/ajax/board/update',
      tag,
      summary: "Edit a post (its author only; sid can't change)",
      body: boardUpdateSchema,
      before: limitWrites('board-update', { windowMs: hour, perUser: 120, perAddress: 300 }),
      responses: {
        200: { description: 'edited (empty body)' },
        400: { description: 'invalid field; content with too many or too deeply nested elements (CONTENT_TOO_COMPLEX)' },
        401: { description: 'no valid token, or the caller is not the author (NOT_BOARD_AUTHOR)' },
        404: postNotFound,
        413: tooLarge,
        429: tooManyWrites,
        503: busy,
      },
      handle: async ({ res, user, body }) => {
        await boards.update(callerOf(user), body);
        res.status(200).end();
      },
    }),
    route({
      method: 'post',
      path: '/ajax/board/delete',
      tag,
      summary: 'Delete a post (its author or an administrator); the body is the bare post number',
      body: bnoSchema,
      before: limitWrites('board-delete', { windowMs: hour, perUser: 120, perAddress: 300 }),
      responses: {
        200: { description: 'deleted (empty body)' },
        400: { description: 'invalid body, or neither author nor administrator (NOT_BOARD_AUTHOR_OR_ADMIN)' },
        404: postNotFound,
        429: tooManyWrites,
      },
      handle: async ({ res, user, body }) => {
        await boards.remove(callerOf(user), body);
        res.status(200).end();
      },
    }),
    route({
      method: 'post',
      path: '/ajax/board/recommend',
      tag,
      summary: 'Recommend a post once per account; the body is the bare post number',
      body: bnoSchema,
      before: limitWrites('board-recommend', { windowMs: hour, perUser: 120, perAddress: 300 }),
      responses: {
        200: { description: 'counted (empty body)' },
        400: { description: 'invalid body, or already recommended (ALREADY_RECOMMENDED)' },
        401: { description: 'no valid token, or the shared guest account (GUEST_CANNOT_RECOMMEND)' },
        404: postNotFound,
        428: { description: 'a secret post the caller has not written (SECRET_POST_NEEDS_CODE)' },
        429: tooManyWrites,
      },
      handle: async ({ res, user, body }) => {
        await boards.recommend(callerOf(user), body);
        res.status(200).end();
      },
    }),
  ];
}
