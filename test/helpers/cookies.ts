import type { Response } from 'supertest';

export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** One Set-Cookie line, parsed (attribute names lower-cased). */
export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const [key = '', ...value] = attribute.split('=');
    attributes[key.toLowerCase()] = value.length > 0 ? value.join('=') : true;
  }
  return { name: pair.slice(0, separator), value: decodeURIComponent(pair.slice(separator + 1)), attributes };
}

/** The Set-Cookie lines of a supertest response. */
export function setCookieLines(res: Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
}

/** Every Set-Cookie of a response, parsed. */
function setCookies(res: Response): SetCookie[] {
  return setCookieLines(res).map(parseSetCookie);
}

/** The cookie a browser would send to `path` from this response (undefined when none was set for it). */
export function cookieFor(res: Response, name: string, path: string): SetCookie | undefined {
  return setCookies(res).find((cookie) => cookie.name === name && cookie.attributes.path === path);
}

/** The refresh token a browser would send to POST /ajax/auth/refresh, from a login-like response. */
export function refreshTokenOf(res: Response): string | undefined {
  const cookie = cookieFor(res, 'refreshToken', '/ajax/auth/refresh');
  return cookie && cookie.value !== '' ? cookie.value : undefined;
}

export const refreshCookieHeader = (token: string) => `refreshToken=${encodeURIComponent(token)}`;
