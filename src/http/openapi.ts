import { z } from 'zod';
import { accessFor } from './public-routes.ts';
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
  responses: Record<number, DocumentedResponse>;
}

type JsonSchema = Record<string, unknown>;

const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('stable error code, e.g. BOARD_NOT_FOUND'),
    message: z.string(),
    requestId: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('on VALIDATION_FAILED: the fields at fault'),
  }),
});
const errorRef = { $ref: '#/components/schemas/Error' };

/** Where the document is served. */
export const openApiDocumentPath = '/ajax/openapi.json';

/** Express's `:name` (and `*name`) → OpenAPI's `{name}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/[:*](\w+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(operation: DocumentedOperation): JsonSchema[] {
  const inPath = [...operation.path.matchAll(/[:*](\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (operation.query === undefined) return inPath;
  const query = jsonSchema(operation.query, 'input');
  if (query.type !== 'object') throw new Error(`${operation.method.toUpperCase()} ${operation.path}: the query schema must be a z.object`);
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = (query.required ?? []) as string[];
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
  return [...inPath, ...inQuery];
}

/** Declared answers, plus the ones every route gets from its guard and its validation. */
function responses(operation: DocumentedOperation): Record<string, JsonSchema> {
  const access = accessFor(operation.path);
  const all: Record<number, DocumentedResponse> = { ...operation.responses };
  if (!access.acceptsExpiredToken) all[303] ??= { description: 'the access token has expired: refresh it and retry (no body, no Location)' };
  if (access.requiresToken) all[401] ??= { description: 'no valid access token' };
  if (operation.query !== undefined || operation.body !== undefined) all[400] ??= { description: 'invalid input (VALIDATION_FAILED names the fields)' };
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
      version: '1.0.0',
      description:
        'Port of the yongheonn.com forum back end. Send the access token raw (or as Bearer) in Authorization; ' +
        'it comes back the same way in the Authorization response header. Errors are {"error":{"code","message","requestId"}}. ' +
        'On the reference page (/ajax/docs/), "Try it out" on GET /ajax/login/guest signs the page in as the guest: ' +
        'the protected routes can be tried next.',
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
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'the document', body: z.looseObject({ openapi: z.literal('3.1.0') }) } },
    handle: ({ res }) => {
      document ??= openApiDocument(operations());
      res.json(document);
    },
  });
}
