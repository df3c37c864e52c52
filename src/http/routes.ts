import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { guardFor } from './authentication.ts';
import { errors, fieldsOf } from './errors.ts';
import { accessFor } from './public-routes.ts';
import { isRateLimit } from './rate-limit.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  body?: z.ZodType;
  /** Response headers worth documenting (name → description). */
  headers?: Record<string, string>;
}

export interface HandlerInput<Query, Body> {
  req: Request;
  res: Response;
  query: Query;
  body: Body;
  /** The caller, when a valid access token came with the request (always set on protected routes). */
  user: Express.User | undefined;
}

/**
 * A route, declared once: its path and method, the zod schemas its input is validated with (and that the
 * OpenAPI document is generated from), what it answers, and a thin handler that calls the feature's service.
 */
export interface RouteSpec<Query = unknown, Body = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodType<Query>;
  body?: z.ZodType<Body>;
  /**
   * Checks of what the handler reads from `req.params` and `req.cookies`: every string a request carries
   * passes the shared string rule (src/http/fields.ts) before any query, and a route with a path parameter
   * must declare `params` (test/http/string-rule.test.ts).
   */
  params?: z.ZodObject;
  cookies?: z.ZodType;
  responses: Record<number, ResponseSpec>;
  /** Documentation only: the path parameters as the document states them, when narrower than `params` (the handler answers other values itself). */
  documentedParams?: z.ZodObject;
  /** Documentation only: the cookies the route reads (name → description). */
  cookieDocs?: Record<string, string>;
  /** false when the route never queries the database (no 503 DATABASE_UNAVAILABLE in the document). */
  database?: boolean;
  /** Runs after the access guard and before validation (rate limits, for instance). */
  before?: RequestHandler[];
  /** The route reads or signs cookies: only such routes run the cookie parser. */
  usesCookies?: boolean;
  handle(input: HandlerInput<Query, Body>): Promise<void> | void;
}

/** Declares a route with its query and body types inferred from the schemas. */
export function route<Query = undefined, Body = undefined>(spec: RouteSpec<Query, Body>): RouteSpec<Query, Body> {
  return spec;
}

export type AnyRoute = RouteSpec<any, any>;

/** Validates what `read` takes from a request; a route without the schema reads nothing. */
function validated<T>(schema: z.ZodType<T> | undefined, read: (req: Request) => unknown): (req: Request) => T {
  if (schema === undefined) return () => undefined as T;
  return (req) => {
    const result = schema.safeParse(read(req));
    if (!result.success) throw errors.validation(fieldsOf(result.error));
    return result.data;
  };
}

/** The check of path parameters and cookies a route declares, or none: decided once, when the route is mounted. */
function stringChecks({ params, cookies }: AnyRoute): ((req: Request) => void) | undefined {
  if (params === undefined && cookies === undefined) return undefined;
  return (req) => {
    // Path and cookies are checked together, so one answer names every field the rule refuses.
    const refused = [params?.safeParse(req.params), cookies?.safeParse(req.cookies)].flatMap((result) => (result && !result.success ? fieldsOf(result.error) : []));
    if (refused.length > 0) throw errors.validation(refused);
  };
}

/**
 * The route's last handler. What it needs is decided when the route is mounted, not on each request:
 * `req.query` (a getter that parses the query string on every read) is read only by routes with a query
 * schema. Not async: a throw reaches Express's error handling from the router's try/catch, and the handler's
 * promise is the one returned, without another around it.
 */
function handlerOf(spec: AnyRoute): RequestHandler {
  const checkStrings = stringChecks(spec);
  const readQuery = validated(spec.query, (req) => req.query);
  const readBody = validated(spec.body, (req) => req.body);
  return (req, res) => {
    checkStrings?.(req);
    return spec.handle({ req, res, query: readQuery(req), body: readBody(req), user: req.user });
  };
}

export interface Parsers {
  json: RequestHandler;
  cookies: RequestHandler;
}

export interface MountOptions {
  /** false leaves out every limitRate handler (tests that send hundreds of requests as one caller). Default true. */
  rateLimits?: boolean;
}

/**
 * Mounts routes with the guard their declared path gets from public-routes.ts: the access decision is
 * attached to the handler itself, so no spelling of a URL can reach a handler without passing its guard.
 * Each route parses only what it reads (a JSON body, cookies), after its guard and rate limits: the parsers
 * as app-wide middleware cost every request, a sixth of a cached answer's CPU.
 */
export function mountRoutes(router: Router, routes: readonly AnyRoute[], parsers: Parsers, { rateLimits = true }: MountOptions = {}): void {
  for (const spec of routes) {
    const guard = guardFor(accessFor(spec.path));
    const chain = [
      ...(guard ? [guard] : []),
      ...(spec.before ?? []).filter((handler) => rateLimits || !isRateLimit(handler)),
      ...(spec.body ? [parsers.json] : []),
      ...(spec.usesCookies ? [parsers.cookies] : []),
      handlerOf(spec),
    ];
    router[spec.method](spec.path, ...chain);
  }
}

/** For handlers of protected routes: the guard already refused anonymous callers. */
export function callerOf(user: Express.User | undefined): Express.User {
  if (user === undefined) throw errors.unauthenticated();
  return user;
}
