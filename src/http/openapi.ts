import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { accessFor } from './public-routes.ts';
import { isRateLimit } from './rate-limit.ts';
import { route, type AnyRoute, type Method, type ResponseSpec } from './routes.ts';

export interface DocumentedResponse extends ResponseSpec {
  /** Defaults to application/json. */
  contentType?: string;
}

/** What the document needs to know about an operation. Every `route({...})` spec is one. */
export interface DocumentedOperation {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The path parameters' schemas (checked by the string rule before the handler). */
  params?: z.ZodObject;
  /** The path parameters as documented when narrower than `params` (the handler answers other values itself, e.g. 404). */
  documentedParams?: z.ZodObject;
  /** Cookies the operation reads (name → description), documented as optional cookie parameters. */
  cookieDocs?: Record<string, string>;
  /** false for operations that never query the database (no 503 DATABASE_UNAVAILABLE). Default true. */
  database?: boolean;
  /** The route's `before` handlers: a rate limit among them documents 429. */
  before?: readonly unknown[];
  responses: Record<number, DocumentedResponse>;
}

type JsonSchema = Record<string, unknown>;

const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('stable error code from the catalogue (src/http/errors.ts), e.g. BOARD_NOT_FOUND'),
    message: z.string(),
    requestId: z.string(),
    fields: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('the fields at fault: on VALIDATION_FAILED (invalid per this document) and on refusals about one field (ALREADY_TAKEN, …)'),
    stack: z.string().optional().describe('NODE_ENV=development only, on 5xx'),
  }),
});
const errorRef = { $ref: '#/components/schemas/Error' };

/** The version of the package this server is (package.json, beside src/ and dist/ alike). */
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Where the document is served. */
export const openApiDocumentPath = '/ajax/openapi.json';

/** Express's `:name` (and `*name`) → OpenAPI's `{name}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/[:*](\w+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function objectProperties(operation: DocumentedOperation, schema: z.ZodType): { properties: Record<string, JsonSchema>; required: string[] } {
  const object = jsonSchema(schema, 'input');
  if (object.type !== 'object') throw new Error(`${operation.method.toUpperCase()} ${operation.path}: query and params schemas must be z.object`);
  return { properties: (object.properties ?? {}) as Record<string, JsonSchema>, required: (object.required ?? []) as string[] };
}

const describedBy = (schema: JsonSchema) => (typeof schema.description === 'string' ? { description: schema.description } : {});

function parameters(operation: DocumentedOperation): JsonSchema[] {
  const documented = operation.documentedParams ?? operation.params;
  const declared = documented ? objectProperties(operation, documented).properties : {};
  const inPath = [...operation.path.matchAll(/[:*](\w+)/g)].map(([, name]) => {
    const schema = declared[name!] ?? { type: 'string' };
    return { name, in: 'path', required: true, ...describedBy(schema), schema };
  });
  const inCookie = Object.entries(operation.cookieDocs ?? {}).map(([name, description]) => ({
    name,
    in: 'cookie',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  if (operation.query === undefined) return [...inPath, ...inCookie];
  const { properties, required } = objectProperties(operation, operation.query);
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...describedBy(schema),
    schema,
  }));
  return [...inPath, ...inQuery, ...inCookie];
}

/** Answers any operation can give, whatever it declares: added where they can happen, merged into a declared one. */
function sharedResponses(operation: DocumentedOperation): Array<[number, string]> {
  const access = accessFor(operation.path);
  const validated = operation.query !== undefined || operation.body !== undefined || operation.params !== undefined;
  return [
    ...(validated ? [[400, 'invalid per this document (VALIDATION_FAILED names the fields)'] as [number, string]] : []),
    ...(operation.body ? [[400, 'a body that is not JSON (MALFORMED_JSON)'] as [number, string]] : []),
    ...(access.requiresToken ? [[401, 'no valid access token (UNAUTHENTICATED)'] as [number, string]] : []),
    ...(operation.body
      ? ([
          [413, 'a body over BODY_LIMIT (PAYLOAD_TOO_LARGE)'],
          [415, 'a body in an unsupported charset or Content-Encoding (UNSUPPORTED_MEDIA_TYPE)'],
        ] as Array<[number, string]>)
      : []),
    ...((operation.before ?? []).some(isRateLimit) ? [[429, 'too many requests (TOO_MANY_REQUESTS, with Retry-After)'] as [number, string]] : []),
    [431, 'request headers over the server limit, cookies most often (HEADERS_TOO_LARGE)'],
    [500, 'an unexpected error (INTERNAL); the requestId leads to the log line'],
    ...(operation.database === false ? [] : [[503, 'the database is unavailable: retry (DATABASE_UNAVAILABLE, with Retry-After)'] as [number, string]]),
  ];
}

/** Declared answers, plus the ones every route gets from its guard and its validation. */
function responses(operation: DocumentedOperation): Record<string, JsonSchema> {
  const access = accessFor(operation.path);
  const all: Record<number, DocumentedResponse> = { ...operation.responses };
  if (!access.acceptsExpiredToken) all[303] ??= { description: 'the access token has expired: refresh it and retry (no body, no Location)' };
  for (const [status, description] of sharedResponses(operation)) {
    const declared = all[status];
    // A declared answer with a body of its own (health's 503) is a different answer: left as declared.
    if (declared?.body) continue;
    all[status] = { ...declared, description: declared ? `${declared.description}; or ${description}` : description };
  }
  return Object.fromEntries(
    Object.entries(all).map(([status, response]) => {
      const schema = response.body ? jsonSchema(response.body, 'output') : Number(status) >= 400 ? errorRef : undefined;
      const headers = Object.entries(response.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]);
      return [
        status,
        {
          description: response.description,
          ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
          ...(schema ? { content: { [response.contentType ?? 'application/json']: { schema } } } : {}),
        },
      ];
    }),
  );
}

const operationId = ({ method, path }: DocumentedOperation): string =>
  method + (path.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('') || 'Root');

function operationObject(operation: DocumentedOperation): JsonSchema {
  const access = accessFor(operation.path);
  const parameterList = parameters(operation);
  return {
    operationId: operationId(operation),
    summary: operation.summary,
    tags: [operation.tag],
    // Public routes still read a token when one is sent (the author of a post, for instance).
    security: access.requiresToken ? [{ accessToken: [] }] : [{}, { accessToken: [] }],
    ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.body.safeParse(undefined).success,
            content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } },
          },
        }
      : {}),
    responses: responses(operation),
  };
}

/** The OpenAPI 3.1 document of the given operations, generated from the schemas their routes validate with. */
export function openApiDocument(operations: readonly DocumentedOperation[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) {
    const item = (paths[openApiPath(operation.path)] ??= {});
    if (item[operation.method]) throw new Error(`${operation.method.toUpperCase()} ${operation.path} is declared twice`);
    item[operation.method] = operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'forum-api',
      version: packageVersion,
      description:
        'Port of the yongheonn.com forum back end. Send the access token raw (or as Bearer) in Authorization; ' +
        'it comes back the same way in the Authorization response header. Errors are {"error":{"code","message","requestId"}}. ' +
        'VALIDATION_FAILED (400) means "invalid per this document"; refusals this document cannot express (a taken id, ' +
        'an author-only edit, a subject that still has posts) have codes of their own, named in each answer\'s description. ' +
        'Every string a request carries (query, path, body, cookie) follows one rule besides its own schema: no control ' +
        'character U+0000–U+001F other than TAB, LF and CR, and no lone UTF-16 surrogate; anything else is 400 ' +
        'VALIDATION_FAILED naming the field (x-string-rule holds the same as a pattern). ' +
        'On the reference page (/ajax/docs/), "Try it out" on GET /ajax/login/guest signs the page in as the guest: ' +
        'the protected routes can be tried next.',
      'x-string-rule': '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$',
    },
    tags: [...new Set(operations.map((operation) => operation.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        accessToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'the access token, raw or as "Bearer <jwt>"' },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
  };
}

/** GET /ajax/openapi.json, built on first request from every operation the app serves. */
export function openApiRoute(operations: () => readonly DocumentedOperation[]): AnyRoute {
  let document: JsonSchema | undefined;
  return route({
    method: 'get',
    path: openApiDocumentPath,
    tag: 'meta',
    database: false,
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'the document', body: z.looseObject({ openapi: z.literal('3.1.0') }) } },
    handle: ({ res }) => {
      document ??= openApiDocument(operations());
      res.json(document);
    },
  });
}
