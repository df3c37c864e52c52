import assert from 'node:assert/strict';
import { frontOrigin } from './app.ts';
import { CookieJar } from './cookie-jar.ts';

/**
 * The API as the browser sees it: an https origin behind the load balancer, which forwards plain http to
 * our port and says so in X-Forwarded-Proto. Cookie rules (Secure, Domain, Path) are judged against this
 * URL, exactly as a browser on https://yongheonn.com judges them; only the bytes travel over loopback http.
 */
export const publicApiOrigin = 'https://api.yongheonn.com';

// Fetch standard: the response headers a page may read without Access-Control-Expose-Headers.
const safelistedResponseHeaders = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];
// A CORS request with these methods needs no Access-Control-Allow-Methods entry.
const safelistedMethods = ['GET', 'HEAD', 'POST'];
const listOf = (header: string | null) => (header ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean);

/** What the page's script gets from fetch(): the status, the readable headers and the body. */
export interface PageResponse {
  status: number;
  /** Null unless the header is CORS-safelisted or exposed, as in a browser. */
  header(name: string): string | null;
  text: string;
  json(): unknown;
}

export interface PageRequest {
  method: 'GET' | 'POST';
  path: string;
  /** The stored token, or '' when there is none: the front end always sends the header. */
  authorization: string;
  /** POST bodies as the front end builds them (JSON text, or '' for "no body"). */
  body?: string;
}

export interface PreflightRecord {
  method: string;
  path: string;
  status: number;
}

/**
 * A browser tab on the front end's origin calling the API with `fetch(url, {credentials: 'include'})`:
 * it sends the CORS preflight every front-end call needs (all of them carry Authorization and a JSON
 * Content-Type), checks it and the response the way the Fetch standard does, keeps cookies, and shows the
 * page only what CORS lets it read. A failed CORS check fails the test, as the browser would fail the fetch.
 */
export class Browser {
  readonly jar = new CookieJar();
  readonly preflights: PreflightRecord[] = [];
  /** Every access token and cookie value this browser was given: none may ever appear in a log. */
  readonly secrets = new Set<string>();
  private readonly port: number;
  private readonly clientAddress: string;

  constructor(port: number, clientAddress: string) {
    this.port = port;
    this.clientAddress = clientAddress;
  }

  private async send(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    // What the load balancer adds in front of us.
    const forwarded = { 'X-Forwarded-For': this.clientAddress, 'X-Forwarded-Proto': 'https' };
    return fetch(`http://127.0.0.1:${this.port}${path}`, { ...init, headers: { ...init.headers, ...forwarded } });
  }

  private async preflight(method: string, path: string, requestHeaders: string[]): Promise<void> {
    const res = await this.send(path, {
      method: 'OPTIONS',
      headers: { Origin: frontOrigin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requestHeaders.join(',') },
    });
    await res.arrayBuffer();
    this.preflights.push({ method, path, status: res.status });
    const where = `preflight of ${method} ${path}`;
    assert.ok(res.status >= 200 && res.status < 300, `${where}: status ${res.status}`);
    assert.equal(res.headers.get('access-control-allow-origin'), frontOrigin, `${where}: Access-Control-Allow-Origin`);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true', `${where}: credentials`);
    const methods = listOf(res.headers.get('access-control-allow-methods'));
    assert.ok(safelistedMethods.includes(method) || methods.includes(method.toLowerCase()), `${where}: method not allowed (${methods})`);
    const allowed = listOf(res.headers.get('access-control-allow-headers'));
    for (const name of requestHeaders) assert.ok(allowed.includes(name), `${where}: header ${name} not allowed (${allowed})`);
  }

  /** One fetch() of the front end: preflight, then the call with its exact headers and the browser's cookies. */
  async fetch({ method, path, authorization, body }: PageRequest): Promise<PageResponse> {
    const url = new URL(path, publicApiOrigin);
    // Accept: application/json is CORS-safelisted; Authorization and a JSON Content-Type are not.
    await this.preflight(method, path, ['authorization', 'content-type']);
    const cookie = this.jar.header(url);
    const res = await this.send(path, {
      method,
      headers: {
        Origin: frontOrigin,
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: authorization,
        ...(cookie ? { Cookie: cookie } : {}),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    const where = `${method} ${path} → ${res.status}`;
    assert.equal(res.headers.get('access-control-allow-origin'), frontOrigin, `${where}: the browser would report a CORS error`);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true', `${where}: a credentialed response needs Allow-Credentials`);
    this.jar.store(res.headers.getSetCookie(), url);
    for (const value of [res.headers.get('authorization'), ...res.headers.getSetCookie().map((line) => /^[^=]*=([^;]*)/.exec(line)?.[1])]) {
      if (value) this.secrets.add(value);
    }
    const readable = new Set([...safelistedResponseHeaders, ...listOf(res.headers.get('access-control-expose-headers'))]);
    return {
      status: res.status,
      header: (name) => (readable.has(name.toLowerCase()) ? res.headers.get(name) : null),
      text,
      json: () => JSON.parse(text) as unknown,
    };
  }
}
