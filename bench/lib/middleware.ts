import { placeOf, type CallFrame } from './cpu-profile.ts';
import { nearestLayer, packageLayers } from './layers.ts';

/**
 * One row of the per-middleware account: a middleware of the Express stack src/app.ts mounts (in the order a
 * request meets them), or a bucket of work no middleware called (node's HTTP, promises, GC, V8).
 */
export interface MiddlewareRow {
  name: string;
  /** The production requirement it serves: why it is worth what it costs. */
  why: string;
  /** Project modules: their path under src/ without extension (`http/cors`); a trailing slash takes a folder. */
  modules?: string[];
  /** Functions of a project module that belong to this row rather than to the module's (they win over `modules`). */
  functions?: Record<string, string[]>;
  packages?: string[];
  /** Layers of bench/lib/layers.ts that make this row when no frame of the sample belongs to a middleware. */
  layers?: string[];
}

const layerPackages = (layer: string) => packageLayers[layer] ?? [];

export const expressRow = 'Express: app.handle, router, route matching, req/res getters';
export const routeHandlerRow = 'route handler (validation, service, cache, ETag)';
export const responseWritingRow = 'response writing: res.end (status line, headers, socket write)';
const otherProjectRow = 'our other code';
const otherNodeRow = 'node, other (events, buffers, … called from no frame above)';

export const middlewareRows: MiddlewareRow[] = [
  {
    name: 'request listener: early health check, bounded turns',
    modules: ['app', 'http/bounded-turns'],
    why: 'at most 8 requests start per turn of the event loop, so an ALB probe is read between batches instead of behind a burst of 50 (the probes\' p99 beside the mix)',
  },
  {
    name: 'health answer (early path, before Express)',
    modules: ['http/health'],
    why: 'the ALB\'s probe is answered with the health route\'s exact headers and body without Express, the access log, CORS or auth: a probe fails only when the process is dead or draining. Other paths pay one Map lookup here',
  },
  {
    name: 'request id (X-Request-Id)',
    functions: { 'http/request-logging': ['incomingId', 'requestIdOf', 'stamp', 'stampRequestId'] },
    why: 'every answer carries the ALB\'s trace id (or a new UUID): it ties the browser\'s failed request to our log line and to the ALB\'s trace',
  },
  {
    name: 'trust-proxy check (X-Forwarded-For warning)',
    modules: ['http/client-address'],
    why: 'warns when X-Forwarded-For is ignored: a proxy TRUST_PROXY does not name would put every visitor under one rate limit',
  },
  {
    name: 'access log (pino-http)',
    modules: ['http/request-logging', 'logger'],
    functions: { 'http/url': ['redactUrl'] },
    packages: layerPackages('access log'),
    why: 'one line per request (id, method, URL with tokens redacted, status, user, error code): what the 3 a.m. investigation reads. Its file writes run on a libuv thread (under "other threads")',
  },
  {
    name: 'security headers (helmet, computed once)',
    modules: ['http/security-headers'],
    packages: ['helmet'],
    why: 'CSP, HSTS, framing, MIME sniffing, cross-origin reads, referrer: what protects a JSON answer a browser opens; computed once at start, so the cost left is setting them',
  },
  {
    name: 'CORS',
    modules: ['http/cors'],
    packages: ['cors', 'vary', 'object-assign'],
    why: 'Access-Control-* on every answer, errors included: without them a browser shows a "CORS error" instead of our status, which is how the seed incident looked to every user',
  },
  {
    name: 'auth: token check and route guard',
    modules: ['http/authentication', 'features/auth/'],
    packages: ['passport', 'passport-strategy', 'jose', 'pause', 'utils-merge'],
    why: 'an anonymous request costs one header check (passport is skipped); the route guard turns an expired token into the 303 the front end expects',
  },
  {
    name: 'body parsers (JSON, cookies)',
    functions: { app: ['verify'] },
    packages: ['body-parser', 'raw-body', 'iconv-lite', 'bytes', 'unpipe', 'cookie-parser', 'cookie', 'cookie-signature'],
    why: 'mounted only on the routes that read a JSON body or cookies: none of these routes pays for them',
  },
  {
    name: 'rate limits',
    modules: ['http/rate-limit', 'http/rate-limit-stores', 'http/write-limits'],
    packages: ['express-rate-limit', 'rate-limit-redis'],
    why: 'mounted only on sign-in and write routes: none of these routes pays for them',
  },
  {
    name: expressRow,
    why: 'the framework the design names; one router pass over the app\'s layers per request (the ceiling\'s router has one layer)',
  },
  {
    name: routeHandlerRow,
    modules: ['http/routes', 'http/response-cache', 'http/revalidated', 'http/fields', 'features/', 'db/'],
    packages: [...layerPackages('kysely'), ...layerPackages('zod')],
    why: 'the answer itself: subject/all sends its cached, serialised list with an ETag and answers 304 when unchanged, subject/get validates the sid, runs its compiled query and serialises the row; the ceiling ends a prepared buffer',
  },
  {
    name: 'database driver (pg: pool, query messages, row parsing)',
    packages: layerPackages('pg protocol'),
    why: "subject/get's one round trip to PostgreSQL (its socket's kernel time is under \"server CPU from /proc\"): named prepared statements, pipelining and postgres.js were measured against it and won nothing measurable (README, \"Hot single-row reads\")",
  },
  {
    name: responseWritingRow,
    why: 'serialising the status line and the headers the contract requires (security headers, CORS, ETag, request id), then the socket write',
  },
  { name: otherProjectRow, why: 'anything else of ours (error handler, helpers)' },
  {
    name: 'node HTTP: parser callbacks, req/res objects, sockets, keep-alive',
    layers: ['HTTP (node:http, sockets)'],
    why: 'node\'s JavaScript side of HTTP (the parser\'s callbacks, IncomingMessage and ServerResponse, socket reads, finishing a response on a kept-alive connection): what any Node server pays per request',
  },
  {
    name: 'promises / timers / microtasks',
    layers: ['promises / timers'],
    why: 'the async route handler\'s promises and bounded turns\' setImmediate',
  },
  {
    name: 'garbage collector',
    layers: ['GC'],
    why: 'the image\'s --max-semi-space-size=4 --heap-growing-percent=25 (the ceiling runs with V8\'s defaults, as in the throughput table): some CPU for ~100 MB less RSS',
  },
  {
    name: 'V8 / native, unattributed ((program))',
    layers: ['V8 / native, unattributed'],
    why: 'native work with no JavaScript frame on the stack: libuv\'s event loop and socket reads, llhttp parsing the request (node feeds the socket to the parser natively), V8 compiling; the same kind of work as the ceiling\'s',
  },
  { name: otherNodeRow, layers: ['node (other)'], why: 'node internals with no middleware, HTTP or timer frame above them' },
];

/** `dist/http/cors.js` or `src/http/cors.ts` → `http/cors`. */
const moduleOf = (place: string) => place.replace(/^(dist|src)\//, '').replace(/\.(js|ts)$/, '');
const inModules = (module: string, modules: readonly string[]) => modules.some((entry) => (entry.endsWith('/') ? module.startsWith(entry) : module === entry));
/**
 * Where node writes an answer: `res.end`/`res.write`/`writeHead` (which serialise the status line and headers)
 * and the deferred uncork that hands them to the socket. Header accessors (`setHeader`, …) are not among them:
 * they count for whoever calls them.
 */
const responseWriting = /^(end|write|writeHead|_implicitHeader|connectionCorkNT|_flush|_flushOutput)$/;

/** The middleware row a frame belongs to; undefined for node's own code (but response writing) and native frames. */
export function middlewareOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if ((url === 'node:_http_outgoing' || url === 'node:_http_server') && responseWriting.test(functionName)) return responseWritingRow;
  if (url === '' || url.startsWith('node:')) return undefined;
  // The baselines' handlers (bench/servers/*.mjs).
  if (/\/bench\/servers\//.test(url)) return routeHandlerRow;
  const place = placeOf(url);
  if (place.startsWith('dist/') || place.startsWith('src/')) {
    const module = moduleOf(place);
    const byFunction = middlewareRows.find((row) => row.functions?.[module]?.includes(functionName));
    return (byFunction ?? middlewareRows.find((row) => row.modules !== undefined && inModules(module, row.modules)))?.name ?? otherProjectRow;
  }
  if (!/node_modules\//.test(url)) return undefined;
  return middlewareRows.find((row) => row.packages?.includes(place))?.name ?? expressRow;
}

const rowOfLayer = new Map(middlewareRows.flatMap((row) => (row.layers ?? []).map((layer) => [layer, row.name] as const)));

/**
 * The row of a sample, from its frames leaf first: that of the nearest frame belonging to a middleware (a
 * project module or function, a package, the response writing node does under `res.end`), so everything a
 * middleware calls in node (setHeader, randomUUID, …) counts as that middleware's. A sample with no such frame
 * goes by the nearest node layer (bench/lib/layers.ts): HTTP, promises / timers, GC, V8.
 */
export function middlewareOfStack(stack: readonly CallFrame[]): string {
  for (const frame of stack) {
    const row = middlewareOf(frame);
    if (row !== undefined) return row;
  }
  return rowOfLayer.get(nearestLayer(stack)) ?? otherNodeRow;
}
