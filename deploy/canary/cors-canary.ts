/**
 * The canary's check: what the browser does on the front page's first call, from outside. A preflight
 * `OPTIONS /ajax/subject/all` with the front end's Origin, then the GET; both must be 2xx and allow that
 * origin with credentials, or the browser shows a "CORS error" and an empty page.
 *
 * `checkLikeTheBrowser` takes a fetch-like function, so the same code runs in CloudWatch Synthetics (whose
 * Node runtime has a global fetch) and in the tests (Node's fetch against a loopback server). It must stay
 * self-contained — no imports, no module-level names — because `canaryScript` ships its source text
 * (Node's type stripping leaves valid JavaScript) as the canary's inline script.
 */

/** The part of a fetch Response the check reads. */
export interface CanaryResponse {
  status: number;
  headers: { get(name: string): string | null };
}

export type CanaryFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; redirect: 'manual'; signal: AbortSignal },
) => Promise<CanaryResponse>;

export interface CanaryTarget {
  /** The API's public base URL, e.g. https://api.yongheonn.com */
  apiUrl: string;
  /** The front end's origin, e.g. https://yongheonn.com */
  origin: string;
  /** Bound on each of the two requests. */
  timeoutMs: number;
}

/**
 * Resolves with one line per request when both pass; rejects with an Error naming every problem (and who
 * answered: forum-api, the load balancer, Cloudflare) otherwise. A rejected run is a failed canary run.
 */
export async function checkLikeTheBrowser(fetchLike: CanaryFetch, target: CanaryTarget): Promise<string[]> {
  const url = new URL('/ajax/subject/all', target.apiUrl).href;
  const requestHeaders = 'authorization,content-type';
  const whoAnswered = (response: CanaryResponse): string => {
    const requestId = response.headers.get('x-request-id');
    if (requestId) return `forum-api, request id ${requestId}`;
    const server = response.headers.get('server') ?? '';
    const cfRay = response.headers.get('cf-ray');
    if (cfRay || /^cloudflare$/i.test(server)) return `Cloudflare, not forum-api (cf-ray ${cfRay ?? '?'}, no X-Request-Id)`;
    if (/^awselb\//i.test(server)) return `the load balancer, not forum-api (Server: ${server}, no X-Request-Id: its targets are unhealthy or unreachable)`;
    return `not forum-api (no X-Request-Id${server ? `, Server: ${server}` : ''})`;
  };
  const judge = (what: string, response: CanaryResponse, extra: (response: CanaryResponse) => string[]): { line: string; problems: string[] } => {
    const problems: string[] = [];
    if (response.status < 200 || response.status > 299) problems.push(`status ${response.status}, not 2xx`);
    const allowOrigin = response.headers.get('access-control-allow-origin');
    if (allowOrigin !== target.origin) {
      problems.push(allowOrigin === null ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin is ${allowOrigin}, not ${target.origin}`);
    }
    if (response.headers.get('access-control-allow-credentials') !== 'true') problems.push('no Access-Control-Allow-Credentials: true');
    problems.push(...extra(response));
    const line = `${what}: ${response.status} from ${whoAnswered(response)}`;
    return { line: problems.length > 0 ? `${line}: ${problems.join('; ')}` : line, problems };
  };
  const send = async (method: string, headers: Record<string, string>): Promise<CanaryResponse | string> => {
    try {
      return await fetchLike(url, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(target.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return `no answer (${cause?.code ?? (error as Error).name}: ${cause?.message ?? (error as Error).message})`;
    }
  };

  const preflight = await send('OPTIONS', { Origin: target.origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': requestHeaders });
  const preflightWhat = `OPTIONS ${url} (preflight, Origin ${target.origin})`;
  if (typeof preflight === 'string') throw new Error(`the browser would show a CORS error: ${preflightWhat}: ${preflight}`);
  const preflightResult = judge(preflightWhat, preflight, (response) => {
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',').map((name) => name.trim());
    const refused = requestHeaders.split(',').filter((name) => !allowed.includes(name));
    return refused.length > 0 ? [`request headers ${refused.join(', ')} not allowed`] : [];
  });
  // As the browser does: a failed preflight means the GET is never sent.
  if (preflightResult.problems.length > 0) throw new Error(`the browser would show a CORS error: ${preflightResult.line}`);

  const get = await send('GET', { Origin: target.origin, Accept: 'application/json', Authorization: '' });
  const getWhat = `GET ${url}`;
  if (typeof get === 'string') throw new Error(`the browser would show a CORS error: ${getWhat}: ${get}`);
  const getResult = judge(getWhat, get, () => []);
  if (getResult.problems.length > 0) throw new Error(`the browser would show a CORS error: ${getResult.line}`);
  return [preflightResult.line, getResult.line];
}

/**
 * The canary's inline script (handler `index.handler`): the check above, as its own source text, called
 * with the runtime's global fetch. A thrown error fails the run; the lines go to the canary's log.
 */
export function canaryScript(target: CanaryTarget): string {
  return [
    "'use strict';",
    `const checkLikeTheBrowser = ${checkLikeTheBrowser.toString()};`,
    `const target = ${JSON.stringify(target)};`,
    'exports.handler = async () => {',
    '  const lines = await checkLikeTheBrowser(fetch, target);',
    '  for (const line of lines) console.log(line);',
    "  return 'the preflight and the GET both allow ' + target.origin;",
    '};',
    '',
  ].join('\n');
}
