import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { z } from 'zod';
import { openApiDocument, openApiPath } from '../../src/http/openapi.ts';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { mountedRoutes } from '../helpers/router-stack.ts';


type Document = { openapi: string; paths: Record<string, Record<string, { responses: object; parameters?: Array<{ name: string }>; requestBody?: object }>> };

describe('The OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  before(async () => {
    t = await startTestApp('pglite');
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
});
