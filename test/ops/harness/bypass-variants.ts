import type { RawRequest } from '../../helpers/raw-socket.ts';

export interface BypassVariant extends RawRequest {
  name: string;
  /** The request names a public route on purpose (header tricks): only the handler spy can judge it. */
  targetsPublicRoute?: boolean;
}

/** A concrete URL path for a declared Express path: parameters get sample values. */
export function samplePath(declared: string): string {
  return declared
    .replace(/\*(\w+)/g, 'sample/path')
    .replace(/:(\w+)/g, 'sample1')
    .replace(/[{}]/g, '');
}

const encodeAll = (text: string) => [...text].map((char) => (char === '/' ? '/' : `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
const capitalise = (path: string) => path.replace(/\/([a-z])/g, (_, letter: string) => `/${letter.toUpperCase()}`);
const withoutTrailingSlash = (path: string) => path.replace(/\/+$/, '');
// The first letter after the last slash, percent-encoded: /ajax/account/ → /ajax/%61ccount/
const encodeFirstLetter = (path: string) => path.replace(/\/([a-z])([^/]*)\/?$/i, (match, letter: string, rest: string) => `/%${letter.charCodeAt(0).toString(16)}${rest}${match.endsWith('/') ? '/' : ''}`);

/**
 * Spellings of one protected route that path-based access rules are classically fooled by: case, slashes,
 * percent-encoding, dot-segments under a public prefix, path parameters, methods, and the headers some
 * proxies and frameworks take as the "real" URL, client address or host.
 */
export function bypassVariants(method: string, declaredPath: string, tokens: { algNone: string; expired: string }): BypassVariant[] {
  const path = samplePath(declaredPath);
  const rest = path.replace(/^\/ajax\//, '');
  const bare = withoutTrailingSlash(path);
  const other = method === 'GET' ? 'POST' : 'GET';
  const paths: Array<[string, string]> = [
    ['as declared', path],
    ['upper case', path.toUpperCase()],
    ['capitalised segments', capitalise(path)],
    ['trailing slash toggled', path.endsWith('/') ? bare : `${path}/`],
    ['extra trailing slash', `${path}/`],
    ['leading double slash', `/${path}`],
    ['every slash doubled', path.replaceAll('/', '//')],
    ['%2F for a slash', path.replace('/ajax/', '/ajax%2F')],
    ['%2f lower-case for a slash', path.replace('/ajax/', '/ajax%2f')],
    ['first letter percent-encoded', encodeFirstLetter(path)],
    ['every character percent-encoded', encodeAll(path)],
    ['double-encoded slash %252F', path.replace('/ajax/', '/ajax%252F')],
    ['dot segment /./', path.replace('/ajax/', '/ajax/./')],
    ['public prefix then ../', `/ajax/health/../${rest}`],
    ['public prefix then %2e%2e/', `/ajax/health/%2e%2e/${rest}`],
    ['public prefix then %2E%2E%2F', `/ajax/health/%2E%2E%2F${rest}`],
    ['public prefix then ..%2f', `/ajax/health/..%2f${rest}`],
    ['public prefix then double-encoded %252e%252e/', `/ajax/health/%252e%252e/${rest}`],
    ['public route then ../../', `/ajax/subject/all/../../${rest}`],
    ['public prefix then ..;/ (Tomcat)', `/ajax/health/..;/${rest}`],
    [';jsessionid appended', `${bare};jsessionid=0123456789`],
    ['matrix parameter in a segment', path.replace('/ajax/', '/ajax;x=1/')],
    ['trailing dot', `${bare}.`],
    ['trailing dot after the slash', `${path}${path.endsWith('/') ? '' : '/'}.`],
    ['trailing %2e', `${bare}%2e`],
    ['trailing %20', `${bare}%20`],
    ['trailing %00', `${bare}%00`],
    ['trailing %09', `${bare}%09`],
    ['trailing /..', `${path}${path.endsWith('/') ? '' : '/'}..`],
    ['backslashes', path.replace(/(?!^)\//g, '\\')],
    ['%5C for a slash', path.replace('/ajax/', '/ajax%5C')],
    ['overlong UTF-8 slash %C0%AF', path.replace('/ajax/', '/ajax%C0%AF')],
    ['fullwidth solidus %EF%BC%8F', path.replace('/ajax/', '/ajax%EF%BC%8F')],
    ['query naming a public route', `${path}?/ajax/health/`],
    ['fragment naming a public route', `${path}#/ajax/health/`],
    ['absolute-form target', `http://127.0.0.1${path}`],
    ['absolute-form under a public prefix', `http://127.0.0.1/ajax/health/../${rest}`],
  ];
  const headerTricks: Array<[string, Array<[string, string]>]> = [
    ['X-Forwarded-For and X-Real-IP of loopback', [['X-Forwarded-For', '127.0.0.1'], ['X-Real-IP', '127.0.0.1']]],
    ['X-Forwarded-Host and Host localhost', [['Host', 'localhost'], ['X-Forwarded-Host', 'localhost']]],
    ['X-Forwarded-Proto https', [['X-Forwarded-Proto', 'https']]],
    ['X-Forwarded-Prefix /ajax/health', [['X-Forwarded-Prefix', '/ajax/health']]],
    ['empty Authorization', [['Authorization', '']]],
    ['Authorization "null"', [['Authorization', 'null']]],
    ['Authorization "Bearer"', [['Authorization', 'Bearer']]],
    ['Authorization "Bearer undefined"', [['Authorization', 'Bearer undefined']]],
    ['Authorization Basic', [['Authorization', 'Basic YWRtaW46YWRtaW4=']]],
    ['unsigned token (alg none)', [['Authorization', tokens.algNone]]],
    ['expired token', [['Authorization', tokens.expired]]],
    ['refresh cookie instead of a token', [['Cookie', 'refreshToken=x.y.z']]],
    ['X-HTTP-Method-Override', [['X-HTTP-Method-Override', method]]],
  ];
  return [
    ...paths.map(([name, target]) => ({ name: `path: ${name}`, method, target })),
    ...headerTricks.map(([name, headers]) => ({ name: `header: ${name}`, method, target: path, headers })),
    { name: 'method: HEAD', method: 'HEAD', target: path },
    { name: `method: ${other} instead of ${method}`, method: other, target: path },
    { name: 'method: lower case', method: method.toLowerCase(), target: path },
    { name: 'method: PUT', method: 'PUT', target: path },
    { name: 'OPTIONS without preflight headers', method: 'OPTIONS', target: path },
    {
      name: 'OPTIONS preflight',
      method: 'OPTIONS',
      target: path,
      headers: [['Origin', 'https://yongheonn.com'], ['Access-Control-Request-Method', method], ['Access-Control-Request-Headers', 'authorization,content-type']],
    },
    { name: 'Content-Length with Transfer-Encoding (smuggling)', method, target: path, headers: [['Content-Length', '4'], ['Transfer-Encoding', 'chunked']], body: '0\r\n\r\n' },
    ...['X-Original-URL', 'X-Rewrite-URL', 'X-Forwarded-Uri', 'X-Envoy-Original-Path'].flatMap((header) => [
      { name: `header: ${header} naming a public route`, method, target: path, headers: [[header, '/ajax/health/']] as Array<[string, string]> },
      { name: `header: ${header} naming the route from a public path`, method, target: '/ajax/health/', headers: [[header, path]] as Array<[string, string]>, targetsPublicRoute: true },
    ]),
  ];
}
