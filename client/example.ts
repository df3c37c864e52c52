/**
 * A front end's calls, typed by the generated client/forum-api.d.ts alone: list → create → read → update →
 * delete. If the document changes a field, a parameter or an answer these calls rely on, `npm run typecheck`
 * fails here; test/http/typed-client.test.ts runs it against a real server.
 */
import type { paths } from './forum-api.d.ts';

type Method = 'get' | 'post';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? ([Q] extends [never | undefined] ? undefined : Q) : undefined;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : undefined;
type OkOf<O> = O extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : undefined;

/** Calls one documented operation: the query, body and answer types come from the document. */
export async function call<P extends keyof paths, M extends Method>(
  baseUrl: string,
  token: string,
  method: M,
  path: P,
  input: { query?: QueryOf<Operation<P, M>>; body?: BodyOf<Operation<P, M>> },
): Promise<OkOf<Operation<P, M>>> {
  const url = new URL(path, baseUrl);
  for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.set(name, String(value));
  const res = await fetch(url, {
    method: method.toUpperCase(),
    headers: { Authorization: token, ...(input.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
  });
  if (res.status !== 200) throw new Error(`${method.toUpperCase()} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as OkOf<Operation<P, M>>;
}

export interface ExampleOutcome {
  listedBefore: number;
  bno: number;
  readTitle: string;
  updatedTitle: string;
  listedAfter: number;
}

/** One post's life, as the front end lives it, in subject `sid` with a token allowed to post. */
export async function postLifecycle(baseUrl: string, token: string, sid: string): Promise<ExampleOutcome> {
  const before = await call(baseUrl, token, 'get', '/ajax/board/list', { query: { sid, page: 1 } });
  const bno = await call(baseUrl, token, 'post', '/ajax/board/create', { body: { sid, title: 'Typed hello', content: '<p>from the typed client</p>', pw: null } });
  const read = await call(baseUrl, token, 'get', '/ajax/board/read', { query: { bno } });
  await call(baseUrl, token, 'post', '/ajax/board/update', { body: { bno, title: 'Typed hello, edited', content: '<p>edited</p>', pw: null } });
  const edited = await call(baseUrl, token, 'get', '/ajax/board/read', { query: { bno } });
  await call(baseUrl, token, 'post', '/ajax/board/delete', { body: bno });
  const after = await call(baseUrl, token, 'get', '/ajax/board/list', { query: { sid, page: 1 } });
  return { listedBefore: before.length, bno, readTitle: read.title, updatedTitle: edited.title, listedAfter: after.length };
}
