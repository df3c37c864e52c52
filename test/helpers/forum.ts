import assert from 'node:assert/strict';
import request from 'supertest';
import { randomInt } from 'node:crypto';
import { roleOf } from '../../src/features/auth/roles.ts';
import { frontOrigin, startTestApp, type DatabaseKind, type TestApp, type TestAppOptions } from './app.ts';
import { listen } from './raw-http.ts';

/** Stores a user row and answers an access token for it (with the role of its auth level). */
export async function addUser(t: TestApp, id: string, auth = 2, nick = `${id}_nick`): Promise<string> {
  await t.database.db.insertInto('user').values({ id, nick, email: `${id}@example.com`, auth }).execute();
  return t.accessTokens.issue({ id, role: roleOf(auth) });
}

/** The token of a new guest, signed in through GET /ajax/login/guest (from an address of its own: guest logins are limited per address). */
export async function guestToken(t: TestApp): Promise<string> {
  const res = await request(t.app).get('/ajax/login/guest').set('X-Forwarded-For', `198.18.${randomInt(256)}.${randomInt(256)}`);
  assert.equal(res.status, 200, res.text);
  return res.headers.authorization ?? assert.fail('no access token');
}

/** Stores a subject (the embedded database's seed already has notice, free and dev: those are kept). */
export async function addSubject(t: TestApp, id: string, admin = 'admin'): Promise<void> {
  await t.database.db
    .insertInto('subject')
    .values({ id, title: `${id} title`, description: '', admin })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export interface Forum {
  t: TestApp;
  /** Tokens of the cast: two verified users, an administrator and a guest. */
  alice: string;
  bob: string;
  admin: string;
  guest: string;
}

/** An app with the cast the board tests share, and the subject "free". */
export async function startForum(kind: DatabaseKind, options: TestAppOptions = {}): Promise<Forum> {
  const t = await startTestApp(kind, options);
  try {
    const alice = await addUser(t, 'alice1', 2, 'alice');
    const bob = await addUser(t, 'bob123', 2, 'bob');
    const admin = await addUser(t, 'admin', 3);
    await addSubject(t, 'free');
    return { t, alice, bob, admin, guest: await guestToken(t) };
  } catch (error) {
    // Otherwise the open database keeps the test process alive after the failed hook.
    await t.close();
    throw error;
  }
}

/** The front end's headers: JSON both ways, the stored token raw (or '' when there is none). */
export function asFrontEnd(test: request.Test, token = ''): request.Test {
  return test.set('Origin', frontOrigin).set('Accept', 'application/json').set('Content-Type', 'application/json').set('Authorization', token);
}

export interface PostInput {
  sid: string;
  title?: string;
  content?: string;
  pw?: string | null;
}

/** Writes a post through the API, as the front end does, and answers its bno. */
export async function writePost(t: TestApp, token: string, { sid, title = 'a title', content = '<p>text</p>', pw = null }: PostInput): Promise<number> {
  const res = await asFrontEnd(request(t.app).post('/ajax/board/create'), token).send({ title, content, pw, sid });
  assert.equal(res.status, 200, res.text);
  assert.equal(typeof res.body, 'number');
  return res.body as number;
}

/** Sends a bare JSON value as the whole body (delete and recommend take the post number that way). */
export function postRaw(t: TestApp, path: string, token: string, rawJson: string): request.Test {
  return asFrontEnd(request(t.app).post(path), token).send(rawJson);
}

export async function boardRow(t: TestApp, bno: number) {
  return t.database.db.selectFrom('board').selectAll().where('bno', '=', bno).executeTakeFirstOrThrow();
}

/**
 * Runs `count` requests at the same moment against the app served on a loopback port (supertest would start
 * one server per request), and answers their statuses in order.
 */
export async function concurrently(t: TestApp, count: number, send: (baseUrl: string, index: number) => Promise<Response>): Promise<number[]> {
  const server = await listen(t.app);
  try {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const responses = await Promise.all(Array.from({ length: count }, (_, index) => send(baseUrl, index)));
    return await Promise.all(
      responses.map(async (res) => {
        await res.arrayBuffer();
        return res.status;
      }),
    );
  } finally {
    await server.close();
  }
}
