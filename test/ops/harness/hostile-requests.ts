import fc from 'fast-check';
import { anyJsonValue, anyText, percentEncoded } from '../../helpers/hostile-text.ts';
import type { RawRequest } from '../../helpers/raw-socket.ts';

export interface KnownRoute {
  method: string;
  path: string;
  /** The query parameters its schema declares. */
  query?: string[];
  /** The JSON body fields its schema declares ([] = the body is one value); undefined = no body. */
  body?: string[];
}

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT', 'get', 'FOO'];

// Any code point, NUL and surrogate halves included: 'grapheme' strings never held them (issue 14, see anyCodePoint).
const text = (maxLength: number) => anyText(maxLength);
const printable = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array));
// Byte sequences that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncated sequences.
const invalidUtf8 = fc.constantFrom(...['ff', 'c0af', 'e08080', 'eda080', 'f8888080', 'c3', 'e2 82', '80'].map((hex) => Buffer.from(hex.replace(' ', ''), 'hex')));
const percentJunk = fc.constantFrom('%', '%zz', '%c0%af', '%ff', '%00', '%2e%2e', '%2F', '%u002e', '%E0%80%AF');

const pathMutation = fc.oneof(
  fc.constant((path: string) => path),
  fc.constant((path: string) => path.toUpperCase()),
  fc.constant((path: string) => path.replaceAll('/', '//')),
  fc.constant((path: string) => path.replace(/\/$/, '')),
  text(30).map((segment) => (path: string) => `${path}${percentEncoded(segment)}`),
  percentJunk.map((junk) => (path: string) => `${path}${junk}`),
  fc.constantFrom('..', '../..', './', '..;/', '%2e%2e/').map((dots) => (path: string) => `${path}${dots}`),
  fc.integer({ min: 1000, max: 12_000 }).map((length) => (path: string) => `${path}${'a'.repeat(length)}`),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc
    // percentJunk goes out as it is: encoded again, its %00 arrived as the three characters "%00".
    .array(fc.tuple(fc.oneof(text(12), fc.constantFrom('__proto__', 'constructor', 'a[b][c]', 'sid', 'page', 'key', 'pw', 'id[]')).map(percentEncoded), fc.oneof(text(20).map(percentEncoded), percentJunk)), { maxLength: 6 })
    .map((pairs) => `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`),
  percentJunk.map((junk) => `?q=${junk}`),
);

// Mostly requests the parser accepts, so most cases reach the app; some the parser must refuse.
const target = (routes: KnownRoute[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...routes.map((route) => route.path)), pathMutation, queryString).map(([path, mutate, query]): string | Buffer => `${mutate(path)}${query}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...routes.map((route) => route.path)), invalidUtf8).map(([path, junk]): string | Buffer => Buffer.concat([Buffer.from(path), junk])) },
    { weight: 2, arbitrary: fc.webPath().map((path): string | Buffer => (path.startsWith('/') ? path : `/${path}`)) },
  );

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  'application/vnd.api+json',
);

const jwtLike = fc.tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 80 }), fc.base64String({ maxLength: 40 })).map((parts) => parts.join('.'));
const headerValue = fc.oneof(
  { weight: 6, arbitrary: printable(40) },
  { weight: 3, arbitrary: jwtLike },
  { weight: 1, arbitrary: text(40) },
  { weight: 1, arbitrary: invalidUtf8.map((junk) => junk.toString('latin1')) },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 20_000 }).map((length) => 'x'.repeat(length)) },
);
const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);

const headers = (validTokens: string[]) => fc.array(
  fc.oneof(
    // Valid tokens too, so the fuzz reaches the handlers behind the access guard.
    fc.constantFrom(...validTokens).map((token): [string, string] => ['Authorization', token]),
    contentType.map((value): [string, string] => ['Content-Type', value]),
    fc.oneof(fc.constant(''), fc.constant('null'), jwtLike, jwtLike.map((token) => `Bearer ${token}`), printable(30)).map((value): [string, string] => ['Authorization', value]),
    fc.constantFrom('https://yongheonn.com', 'https://evil.example', 'null', 'http://127.0.0.1').map((value): [string, string] => ['Origin', value]),
    fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus').map((value): [string, string] => ['Content-Encoding', value]),
    fc.constantFrom('100-continue', 'x').map((value): [string, string] => ['Expect', value]),
    headerValue.map((value): [string, string] => ['X-Request-Id', value.replace(/[\r\n]/g, '')]),
    headerValue.map((value): [string, string] => ['Cookie', `refreshToken=${value.replace(/[\r\n]/g, '')}`]),
    fc.tuple(headerName, headerValue).map(([name, value]): [string, string] => [name, value.replace(/[\r\n]/g, '')]),
  ),
  { maxLength: 6 },
);

const nestedJson = fc.integer({ min: 100, max: 50_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 6 }),
  anyJsonValue().map((value) => JSON.stringify({ id: value, pw: value, title: value, content: value, sid: value, bno: value })),
  bytes(200),
  invalidUtf8.map((junk) => Buffer.concat([Buffer.from('{"title":"'), junk, Buffer.from('"}')])),
  nestedJson,
  fc.constantFrom(300_000, 600_000).map((size) => JSON.stringify({ content: 'x'.repeat(size) })),
  fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '"just a string"', '12', 'null', '{', ''),
);

/**
 * A well-formed request to one route with any code points in the parameters and body fields its schemas
 * declare (some left out, the rest as they come), a valid token and JSON headers, so that it gets past the
 * parser and the guard to the validation and, if that lets it through, the database.
 */
function aimedRequest(routes: KnownRoute[], validTokens: string[]): fc.Arbitrary<RawRequest> {
  const aimed = routes.filter((route) => (route.query?.length ?? 0) > 0 || route.body !== undefined);
  return fc.constantFrom(...aimed).chain((route) => {
    const value = fc.oneof({ weight: 3, arbitrary: text(30) }, { weight: 1, arbitrary: anyJsonValue() });
    const query = fc
      .tuple(...(route.query ?? []).map((name) => fc.option(text(20).map((given) => `${name}=${percentEncoded(given)}`), { nil: undefined })))
      .map((pairs) => pairs.filter((pair) => pair !== undefined).join('&'));
    const body =
      route.body === undefined
        ? fc.constant(undefined)
        : route.body.length === 0
          ? value.map((given) => JSON.stringify(given))
          : fc.record(Object.fromEntries(route.body.map((field) => [field, value])), { requiredKeys: [] }).map((fields) => JSON.stringify(fields));
    return fc.record({ query, body, token: fc.constantFrom(...validTokens) }).map(({ query: pairs, body: payload, token }): RawRequest => ({
      method: route.method,
      target: pairs === '' ? route.path : `${route.path}?${pairs}`,
      headers: [['Authorization', token], ['Origin', 'https://yongheonn.com'], ['Content-Type', 'application/json']],
      ...(payload === undefined ? {} : { body: payload }),
    }));
  });
}

/** A request a hostile or broken client might send to one of the known routes, or near one. */
export function hostileRequest(routes: KnownRoute[], validTokens: string[]): fc.Arbitrary<RawRequest> {
  return fc.oneof({ weight: 3, arbitrary: anyRequest(routes, validTokens) }, { weight: 1, arbitrary: aimedRequest(routes, validTokens) });
}

function anyRequest(routes: KnownRoute[], validTokens: string[]): fc.Arbitrary<RawRequest> {
  return fc.record({
    method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...routes.map((route) => route.method)) }, { weight: 1, arbitrary: fc.constantFrom(...methods) }),
    target: target(routes),
    headers: headers(validTokens),
    body,
  }).map(({ body: payload, ...request }) => (payload === undefined ? request : { ...request, body: payload }));
}
