import { parseSetCookie } from './cookies.ts';

interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  expiresAt: number;
}

/** RFC 6265 §5.1.3: the host is the domain, or a subdomain of it (never a mere string suffix). */
const domainMatches = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** RFC 6265 §5.1.4: the cookie path is the request path, or a prefix of it ending at a `/`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4 default-path: the request path up to, not including, its last `/`. */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/**
 * The cookie store of a browser, for the rules the refresh cookie depends on: Domain, Path, Secure (only
 * over https), SameSite=None only with Secure, Max-Age over Expires, and deletion by an expiry in the past.
 * URLs are the ones the browser sees (the public https origin), whatever carries the bytes underneath.
 */
export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(setCookieLines: readonly string[], url: URL, now = Date.now()): void {
    for (const line of setCookieLines) {
      const { name, attributes } = parseSetCookie(line);
      // Browsers send back the value exactly as it was set (no decoding).
      const value = (line.split(';')[0] ?? '').slice(name.length + 1).trim();
      const secure = attributes.secure === true;
      if (secure && url.protocol !== 'https:') continue;
      if (String(attributes.samesite).toLowerCase() === 'none' && !secure) continue;
      const domainAttribute = typeof attributes.domain === 'string' ? attributes.domain.replace(/^\./, '').toLowerCase() : '';
      if (domainAttribute && !domainMatches(url.hostname, domainAttribute)) continue;
      const path = typeof attributes.path === 'string' && attributes.path.startsWith('/') ? attributes.path : defaultPath(url.pathname);
      const maxAge = typeof attributes['max-age'] === 'string' ? Number(attributes['max-age']) : undefined;
      const expires = typeof attributes.expires === 'string' ? Date.parse(attributes.expires) : undefined;
      const expiresAt = maxAge !== undefined ? now + maxAge * 1000 : (expires ?? Number.POSITIVE_INFINITY);
      const cookie = { name, value, domain: domainAttribute || url.hostname, hostOnly: !domainAttribute, path, secure, expiresAt };
      this.cookies = this.cookies.filter((old) => !(old.name === name && old.domain === cookie.domain && old.path === path));
      if (expiresAt > now) this.cookies.push(cookie);
    }
  }

  /** The Cookie header the browser sends to this URL (longest paths first), or undefined when none applies. */
  header(url: URL, now = Date.now()): string | undefined {
    const sent = this.cookies
      .filter((cookie) => cookie.expiresAt > now)
      .filter((cookie) => (cookie.hostOnly ? url.hostname === cookie.domain : domainMatches(url.hostname, cookie.domain)))
      .filter((cookie) => pathMatches(url.pathname, cookie.path))
      .filter((cookie) => !cookie.secure || url.protocol === 'https:')
      .sort((a, b) => b.path.length - a.path.length);
    return sent.length === 0 ? undefined : sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  /** The value this browser holds for `name` at `url`, for assertions. */
  valueFor(name: string, url: URL): string | undefined {
    const header = this.header(url);
    const pair = header?.split('; ').find((entry) => entry.startsWith(`${name}=`));
    return pair?.slice(name.length + 1);
  }
}
