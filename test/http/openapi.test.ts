import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { openApiDocument, openApiPath } from '../../src/http/openapi.ts';
import { postLifecycle } from '../../client/example.ts';
import { clientTypes, documentedEnv, snapshotFile, snapshotText, typesFile, updateCommand } from '../../scripts/openapi.ts';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { addSubject, addUser } from '../helpers/forum.ts';
import { listen } from '../helpers/raw-http.ts';
import { mountedRoutes } from '../helpers/router-stack.ts';


interface Parameter {
  name: string;
  in: string;
  schema: Record<string, unknown>;
}
type Responses = Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
type Document = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { responses: Responses; parameters?: Parameter[]; requestBody?: object }>>;
};

/** Every `pattern` in the document, with where it is. */
function patternsIn(value: unknown, where = '#'): Array<{ pattern: string; where: string }> {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'pattern' && typeof item === 'string' ? [{ pattern: item, where }] : patternsIn(item, `${where}/${key}`),
  );
}

/**
 * What every JSON Schema engine compiles alike (ECMA-262's common subset with Python's re and Rust's regex):
 * valid with JavaScript's `u` and stricter `v` flags (so `[`, `(`, `-`, `/`, `|`… are escaped inside classes),
 * no lookbehind or backreference, and no \d \w \s \b \p, whose sets differ between engines.
 */
function portabilityProblem(pattern: string): string | undefined {
  for (const flags of ['u', 'v']) {
    try {
      new RegExp(pattern, flags);
    } catch (error) {
      return `${flags} flag: ${(error as Error).message}`;
    }
  }
  if (/\(\?<[=!]/.test(pattern)) return 'lookbehind';
  if (/(^|[^\\])(\\\\)*\\([1-9]|k<|[dDwWsSbBpP])/.test(pattern)) return 'backreference or an engine-dependent class escape';
  return undefined;
}


describe('The OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  before(async () => {
    // As production serves it: every OAuth provider configured (the document the snapshot holds).
    t = await startTestApp('pglite', { env: documentedEnv });
    const res = await request(t.app).get('/ajax/openapi.json').set('Origin', frontOrigin).set('Authorization', '');
    assert.equal(res.status, 200);
    document = res.body;
  });
  after(() => t.close());

  it('When anyone asks for /ajax/openapi.json without a token, then an OpenAPI 3.1 document comes with CORS headers', async () => {
    const res = await request(t.app).get('/ajax/openapi.json').set('Origin', frontOrigin);
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
    assert.equal(document.openapi, '3.1.0');
  });

  it('When Express has a route mounted anywhere (features, health, /), then the document describes that method and path', () => {
    const mounted = mountedRoutes(t.app.router);
    const paths = mounted.map((route) => route.path);
    for (const expected of ['/', '/ajax/health/', '/ajax/health/ready', '/ajax/openapi.json', '/ajax/board/create', '/ajax/subject/regi', '/ajax/account/']) {
      assert.ok(paths.includes(expected), `${expected} should be mounted`);
    }
    const undocumented = mounted.filter(({ method, path }) => document.paths[openApiPath(path)]?.[method] === undefined);
    assert.deepEqual(undocumented, [], 'every mounted route must be in the OpenAPI document');
  });

  it('When a route is declared with route(), then it is both mounted and documented', () => {
    const mounted = new Set(mountedRoutes(t.app.router).map(({ method, path }) => `${method} ${path}`));
    for (const spec of t.app.locals.routes) {
      assert.ok(mounted.has(`${spec.method} ${spec.path}`), `${spec.method} ${spec.path} is declared but not mounted`);
      assert.ok(document.paths[openApiPath(spec.path)]?.[spec.method], `${spec.method} ${spec.path} is not documented`);
    }
  });

  it("When a route validates a query or a body, then the document lists the same fields from the route's own zod schema", () => {
    const list = document.paths['/ajax/board/list']!.get!;
    assert.deepEqual(list.parameters?.map((parameter) => parameter.name), ['sid', 'page']);
    assert.ok(document.paths['/ajax/board/create']!.post!.requestBody);
    assert.ok(document.paths['/ajax/board/delete']!.post!.requestBody, 'bare-scalar bodies are documented too');
    const read = document.paths['/ajax/board/read']!.get!.responses as Record<string, unknown>;
    for (const status of ['200', '303', '400', '401', '404', '428']) assert.ok(read[status], `read documents ${status}`);
  });

  it('When a route has path parameters (as the OAuth routes will), then they become {name} path parameters', () => {
    const generated = openApiDocument([
      { method: 'get', path: '/oauth2/authorization/:provider', tag: 'oauth', summary: 'start', responses: { 302: { description: 'to the provider' } } },
    ]) as Document;
    const operation = generated.paths['/oauth2/authorization/{provider}']!.get!;
    assert.deepEqual(operation.parameters?.map((parameter) => parameter.name), ['provider']);
  });

  it('When two operations share a method and path, then generating the document fails loudly', () => {
    const operation = { method: 'get' as const, path: '/x', tag: 't', summary: 's', query: z.object({ a: z.string() }), responses: {} };
    assert.throws(() => openApiDocument([operation, operation]), /declared twice/);
  });
  it('When the package version changes, then info.version says the same', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(document.info.version, version);
  });

  it(`When a route changes the document, then client/openapi.json must be updated with it (${updateCommand})`, async () => {
    const committed = await readFile(snapshotFile, 'utf8');
    assert.ok(
      snapshotText(document) === committed,
      `GET /ajax/openapi.json differs from the reviewed snapshot client/openapi.json: review the API change, then run \`${updateCommand}\` and commit client/.`,
    );
  });

  it(`When the snapshot changes, then the typed client client/forum-api.d.ts is regenerated with it (${updateCommand})`, async () => {
    const expected = await clientTypes(JSON.parse(await readFile(snapshotFile, 'utf8')));
    assert.ok(expected === (await readFile(typesFile, 'utf8')), `client/forum-api.d.ts is stale: run \`${updateCommand}\` and commit client/.`);
  });

  it('When a front end uses the generated types, then list → create → read → update → delete works against the server', async () => {
    const admin = await addUser(t, 'typedadm', 3, 'typed_admin');
    await addSubject(t, 'typed', 'typedadm');
    const server = await listen(t.app);
    try {
      const outcome = await postLifecycle(`http://127.0.0.1:${server.port}`, admin, 'typed');
      assert.deepEqual(
        { ...outcome, bno: typeof outcome.bno },
        { listedBefore: 0, bno: 'number', readTitle: 'Typed hello', updatedTitle: 'Typed hello, edited', listedAfter: 0 },
      );
    } finally {
      await server.close();
    }
  });

  it('When a schema has a pattern, then every JSON Schema engine compiles it alike (escaped class punctuation, no lookbehind, no \\d)', () => {
    const patterns = patternsIn(document.paths);
    assert.ok(patterns.length > 5, 'the register fields, the post code and the integers have patterns');
    assert.deepEqual(
      patterns.map(({ pattern, where }) => ({ where, pattern, problem: portabilityProblem(pattern) })).filter(({ problem }) => problem),
      [],
    );
    // The check can fail: the register pw pattern as it was, a lookbehind, a \d.
    assert.match(portabilityProblem('^[a-zA-Z0-9{}[\\]/?]{8,16}$') ?? '', /^v flag/);
    assert.equal(portabilityProblem('(?<!a)b'), 'lookbehind');
    assert.match(portabilityProblem('^\\d+$') ?? '', /class escape/);
    assert.equal(portabilityProblem('^\\\\d$'), undefined, 'an escaped backslash followed by d is two literal characters');
  });

  it('When an integer is a post number or a page, then it is an integer with bounds and its string form spells the same range', () => {
    const ranged = [
      document.paths['/ajax/board/list']!.get!.parameters!.find((parameter) => parameter.name === 'page')!.schema,
      document.paths['/ajax/board/read']!.get!.parameters!.find((parameter) => parameter.name === 'bno')!.schema,
      (document.paths['/ajax/board/delete']!.post!.requestBody as { content: { 'application/json': { schema: Record<string, unknown> } } }).content['application/json'].schema,
    ];
    for (const schema of ranged) {
      const [integer, text] = schema.anyOf as Array<{ type: string; minimum?: number; maximum?: number; pattern?: string }>;
      assert.deepEqual({ type: integer!.type, minimum: integer!.minimum, maximum: integer!.maximum }, { type: 'integer', minimum: 1, maximum: 2_147_483_647 });
      const pattern = new RegExp(text!.pattern!);
      for (const refused of ['0', '0.0', '-1', '02357883647', '2147483648', '1e3', ' 1']) assert.ok(!pattern.test(refused), refused);
      for (const accepted of ['1', '57', '+57', '057', '2147483647']) assert.ok(pattern.test(accepted), accepted);
    }
  });

  it('When a title is required text, then the document refuses empty and blank titles', () => {
    const create = (document.paths['/ajax/board/create']!.post!.requestBody as { content: { 'application/json': { schema: { properties: Record<string, { minLength?: number; pattern?: string }> } } } })
      .content['application/json'].schema.properties.title!;
    assert.equal(create.minLength, 1);
    const notBlank = new RegExp(create.pattern!);
    for (const blank of [' ', '\t\n', '\u3000', '\u00a0\ufeff']) assert.ok(!notBlank.test(blank), JSON.stringify(blank));
    assert.ok(notBlank.test(' a '));
  });

  it('When an operation can answer a shared error, then the document lists it with the Error schema', () => {
    const error = { $ref: '#/components/schemas/Error' };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const label = `${method.toUpperCase()} ${path}`;
        const expected = ['431', '500', ...(operation.requestBody ? ['400', '413', '415'] : [])];
        if (!['/', '/ajax/health/', '/ajax/health/ready', '/ajax/openapi.json', '/oauth2/authorization/{provider}'].includes(path)) expected.push('503');
        for (const status of expected) {
          assert.deepEqual(operation.responses[status]?.content?.['application/json']?.schema, error, `${label} documents ${status} with the Error schema`);
        }
      }
    }
    assert.match(document.paths['/ajax/board/list']!.get!.responses['503']!.description, /DATABASE_UNAVAILABLE/);
    assert.ok(document.paths['/ajax/board/create']!.post!.responses['429'], 'a rate-limited route documents 429');
  });

  it('When a route reads the refresh cookie or names an OAuth provider, then the document says so (cookie parameter, enum of the configured providers)', () => {
    for (const path of ['/ajax/auth/refresh', '/ajax/logout/']) {
      const cookie = document.paths[path]!.post!.parameters?.find((parameter) => parameter.in === 'cookie');
      assert.equal(cookie?.name, 'refreshToken', path);
    }
    for (const path of ['/oauth2/authorization/{provider}', '/login/oauth2/code/{provider}']) {
      const provider = document.paths[path]!.get!.parameters?.find((parameter) => parameter.name === 'provider');
      assert.deepEqual(provider?.schema.enum, ['google', 'naver', 'kakao'], path);
    }
  });
});
