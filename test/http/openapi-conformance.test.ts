import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { addUser, guestToken } from '../helpers/forum.ts';
import { hostileValues, resolveRefs, schemaValidator, validFor, type JsonSchema } from '../helpers/json-schema-arbitrary.ts';

/**
 * The OpenAPI document, tried as a client generated from it would: it reads only the document. For every
 * operation and each kind of caller, inputs valid per the document (generated from its JSON Schemas) are never
 * answered VALIDATION_FAILED, inputs invalid per the document are answered 400 (404 for a path parameter), and
 * every answer has a status the operation documents, the documented content type, and a body the documented
 * schema accepts (ajv, draft 2020-12). Nothing is answered 5xx. Bounded: a few hundred requests per database.
 * Run before issue 19's fix, it failed on page=0, bno=0 (query and bare bodies), title "" and 415 left out of
 * the document; test/http/openapi.test.ts covers what a request cannot show (pattern portability, the cookie).
 */

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'cookie' | 'header';
  required: boolean;
  schema: JsonSchema;
}
interface Operation {
  operationId: string;
  security: Array<Record<string, unknown>>;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** One request: the values of the path and query parameters and the JSON body (undefined = none sent). */
interface Input {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

const validRunsPerCaller = 2;
const invalidPerCaller = 2;
const validator = schemaValidator();
const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]!.trim();

// OAuth providers configured with placeholder credentials: the start redirects without any network, and the
// callback fails before calling the provider (no state cookie), so the {provider} enum is not empty.
const oauthEnv = {
  OAUTH_GOOGLE_CLIENT_ID: 'conformance-client',
  OAUTH_GOOGLE_CLIENT_SECRET: 'conformance-secret',
  OAUTH_KAKAO_CLIENT_ID: 'conformance-client',
  OAUTH_KAKAO_CLIENT_SECRET: 'conformance-secret',
  OAUTH_CALLBACK_BASE_URL: 'https://api.example.test',
};

function urlOf(template: string, input: Input): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(input.path[name])));
  const query = new URLSearchParams(Object.entries(input.query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  return query ? `${path}?${query}` : path;
}

function parametersIn(operation: Operation, where: Parameter['in']): Parameter[] {
  return (operation.parameters ?? []).filter((parameter) => parameter.in === where);
}

/** Valid inputs per the document, or undefined when the document admits none (a path enum that is empty). */
function validInputs(operation: Operation): fc.Arbitrary<Input> | undefined {
  const parameter = (list: Parameter[]) => {
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const { name, schema } of list) {
      const values = validFor(schema, validator(schema));
      if (values === undefined) return undefined;
      fields[name] = values;
    }
    const requiredKeys = list.filter((item) => item.required).map((item) => item.name);
    return fc.record(fields, { requiredKeys });
  };
  const path = parameter(parametersIn(operation, 'path'));
  const query = parameter(parametersIn(operation, 'query'));
  const bodySchema = operation.requestBody?.content['application/json'].schema;
  const body = bodySchema ? validFor(bodySchema, validator(bodySchema)) : fc.constant(undefined);
  if (!path || !query || !body) return undefined;
  return fc.record({ path, query, body });
}

interface InvalidInput {
  input: Input;
  what: string;
  where: 'path' | 'query' | 'body';
}

/** Inputs the document calls invalid in exactly one place, built from one valid input; ajv confirms each. */
function invalidInputs(operation: Operation, valid: Input): InvalidInput[] {
  const found: InvalidInput[] = [];
  for (const where of ['path', 'query'] as const) {
    for (const { name, schema, required } of parametersIn(operation, where)) {
      const validate = validator(schema);
      if (required && where === 'query') {
        const { [name]: _left, ...rest } = valid.query;
        found.push({ input: { ...valid, query: rest }, what: `${name} missing`, where });
      }
      // Parameters travel as text: only strings are candidates.
      for (const value of hostileValues(schema).filter((candidate) => typeof candidate === 'string' && !validate(candidate))) {
        found.push({ input: { ...valid, [where]: { ...valid[where], [name]: value } }, what: `${name}=${JSON.stringify(value)}`, where });
      }
    }
  }
  const bodySchema = operation.requestBody?.content['application/json'].schema;
  if (bodySchema) {
    const validate = validator(bodySchema);
    const properties = (bodySchema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, schema] of Object.entries(properties)) {
      const body = valid.body as Record<string, unknown>;
      if ((bodySchema.required as string[] | undefined)?.includes(name)) {
        const { [name]: _left, ...rest } = body;
        found.push({ input: { ...valid, body: rest }, what: `body.${name} missing`, where: 'body' });
      }
      for (const value of hostileValues(schema)) {
        const candidate = { ...body, [name]: value };
        if (!validate(candidate)) found.push({ input: { ...valid, body: candidate }, what: `body.${name}=${JSON.stringify(value)}`, where: 'body' });
      }
    }
    for (const value of hostileValues(bodySchema)) {
      if (!validate(value)) found.push({ input: { ...valid, body: value }, what: `body=${JSON.stringify(value)}`, where: 'body' });
    }
  }
  return found;
}

for (const kind of databaseKinds) {
  describe(`The OpenAPI document, as a generated client meets it (${kind})`, () => {
    let t: TestApp;
    let document: Document;
    const callers: Record<string, string> = { anonymous: '' };
    let sent = 0;

    before(async () => {
      t = await startTestApp(kind, { rateLimits: false, env: oauthEnv });
      callers.guest = await guestToken(t);
      callers.verified = await addUser(t, 'conform1', 2, 'conform_user');
      callers.admin = await addUser(t, 'conformadm', 3, 'conform_admin');
      const res = await request(t.app).get('/ajax/openapi.json');
      assert.equal(res.status, 200);
      document = res.body as Document;
    });
    after(() => t.close());

    async function send(method: string, template: string, input: Input, token: string): Promise<request.Response> {
      sent += 1;
      const test = (request(t.app) as unknown as Record<string, (url: string) => request.Test>)[method]!(urlOf(template, input))
        .set('Origin', frontOrigin)
        .set('Authorization', token);
      return input.body === undefined ? test : test.set('Content-Type', 'application/json').send(JSON.stringify(input.body));
    }

    /** The answer is one the operation documents, in the documented content type, with a body its schema accepts. */
    function assertDocumented(operation: Operation, res: request.Response, label: string): void {
      const where = `${label} → ${res.status} ${res.text.slice(0, 300)}`;
      assert.ok(res.status < 500, `no 5xx: ${where}`);
      const documented = operation.responses[String(res.status)];
      assert.ok(documented, `status ${res.status} is not documented for ${operation.operationId}: ${where}`);
      const type = mediaType(res.headers['content-type']);
      if (!documented.content) {
        assert.notEqual(type, 'application/json', `a JSON body the document does not describe: ${where}`);
        return;
      }
      const [documentedType, { schema }] = Object.entries(documented.content)[0]!;
      assert.equal(type, documentedType, `content type: ${where}`);
      const validate = validator(schema);
      assert.ok(validate(JSON.parse(res.text)), `body does not match the documented schema (${JSON.stringify(validate.errors)}): ${where}`);
    }

    it('When each caller sends every operation inputs valid per the document, then none is answered VALIDATION_FAILED and every answer is documented', async () => {
      // Every operation is tried, and every failure reported (each shrunk to its smallest input), not the first only.
      const failures: string[] = [];
      for (const [template, item] of Object.entries(document.paths)) {
        for (const [method, unresolved] of Object.entries(item)) {
          const operation = resolveRefs(unresolved, document);
          const inputs = validInputs(operation);
          if (!inputs) continue;
          for (const [name, token] of Object.entries(callers)) {
            const answersAsDocumented = fc.asyncProperty(inputs, async (input) => {
              const label = `${name} ${method.toUpperCase()} ${urlOf(template, input)} ${input.body === undefined ? '' : JSON.stringify(input.body).slice(0, 200)}`;
              const res = await send(method, template, input, token);
              assert.notEqual(res.body?.error?.code, 'VALIDATION_FAILED', `valid per the document, refused: ${label} → ${res.text.slice(0, 300)}`);
              assertDocumented(operation, res, label);
            });
            await fc
              .assert(answersAsDocumented, { numRuns: validRunsPerCaller })
              .catch((error: Error) => failures.push(String((error.cause as Error | undefined)?.message ?? error.message)));
          }
        }
      }
      assert.deepEqual(failures, []);
    });

    it('When each caller sends every operation inputs invalid per the document, then 400 VALIDATION_FAILED (404 for a path parameter), documented', async () => {
      let round = 0;
      for (const [template, item] of Object.entries(document.paths)) {
        for (const [method, unresolved] of Object.entries(item)) {
          const operation = resolveRefs(unresolved, document);
          const inputs = validInputs(operation);
          if (!inputs) continue;
          const [valid] = fc.sample(inputs, { numRuns: 1 });
          const invalid = invalidInputs(operation, valid!);
          if (invalid.length === 0) continue;
          const needsToken = !operation.security.some((requirement) => Object.keys(requirement).length === 0);
          for (const [name, token] of Object.entries(callers)) {
            // A different few of the invalid inputs for each caller, all of them over the callers and runs.
            for (let index = 0; index < invalidPerCaller; index += 1) {
              const { input, what, where } = invalid[(round += 1) % invalid.length]!;
              const label = `${name} ${method.toUpperCase()} ${template} with ${what}`;
              const res = await send(method, template, input, token);
              assertDocumented(operation, res, label);
              if (needsToken && token === '') assert.equal(res.status, 401, label);
              else if (where === 'path') assert.equal(res.status, 404, label);
              else {
                assert.equal(res.status, 400, `${label} → ${res.status} ${res.text.slice(0, 300)}`);
                assert.equal(res.body.error.code, 'VALIDATION_FAILED', label);
              }
            }
          }
        }
      }
      assert.ok(sent > 200, `a real sweep: ${sent} requests`);
    });

    it('When a JSON body is not JSON, too large, or in an unsupported charset, then each operation answers a status it documents (400, 413, 415)', async () => {
      const bodies = [
        { send: (test: request.Test) => test.set('Content-Type', 'application/json').send('{"title":'), status: 400, code: 'MALFORMED_JSON' },
        { send: (test: request.Test) => test.set('Content-Type', 'application/json').send(JSON.stringify('x'.repeat(600_000))), status: 413, code: 'PAYLOAD_TOO_LARGE' },
        { send: (test: request.Test) => test.set('Content-Type', 'application/json; charset=koi8-r').send('1'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      ];
      for (const [template, item] of Object.entries(document.paths)) {
        for (const [method, unresolved] of Object.entries(item)) {
          const operation = resolveRefs(unresolved, document);
          if (!operation.requestBody) continue;
          for (const { send: withBody, status, code } of bodies) {
            const res = await withBody((request(t.app) as unknown as Record<string, (url: string) => request.Test>)[method]!(template).set('Authorization', callers.admin!));
            const label = `${method.toUpperCase()} ${template} (${code})`;
            assertDocumented(operation, res, label);
            assert.deepEqual([res.status, res.body.error.code], [status, code], label);
          }
        }
      }
    });
  });
}
