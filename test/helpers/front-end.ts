import assert from 'node:assert/strict';
import { roleOf } from '../../src/features/auth/roles.ts';
import type { Browser, PageResponse } from './browser.ts';

export interface UserJson {
  id: string;
  nick: string;
  email: string | null;
  auth: number;
}

/**
 * The original React front end's data layer, call for call (forum-api.md §4): every fetch sends the stored
 * token (or ''), state lives in localStorage, and a 303 means "refresh, then run the same call again".
 */
export class FrontEnd {
  readonly localStorage = new Map<string, string>();
  readonly browser: Browser;

  constructor(browser: Browser) {
    this.browser = browser;
  }

  get token(): string {
    return this.localStorage.get('access_token') ?? '';
  }

  get(path: string): Promise<PageResponse> {
    return this.browser.fetch({ method: 'GET', path, authorization: this.token });
  }

  /** `body` is what the component passes to fetch: JSON text, or '' for the calls that send nothing. */
  post(path: string, body: string): Promise<PageResponse> {
    return this.browser.fetch({ method: 'POST', path, authorization: this.token, body });
  }

  /** Components that send no token at all (login, register, logout, the mail link page) send ''. */
  anonymous(method: 'GET' | 'POST', path: string, body?: string): Promise<PageResponse> {
    return this.browser.fetch({ method, path, authorization: '', ...(body === undefined ? {} : { body }) });
  }

  /** RefreshToken.tsx: 200 → store the new header; 401 → forget only the token; anything else is ignored. */
  async refreshAccessToken(): Promise<PageResponse> {
    const res = await this.post('/ajax/auth/refresh', '');
    if (res.status === 200) this.localStorage.set('access_token', res.header('Authorization') ?? assert.fail('Authorization not readable'));
    if (res.status === 401) this.localStorage.delete('access_token');
    return res;
  }

  /** What every component does on 303: refresh, and on success run the original call again. */
  async withRefresh(call: () => Promise<PageResponse>): Promise<{ first: PageResponse; refresh?: PageResponse; final: PageResponse }> {
    const first = await call();
    if (first.status !== 303) return { first, final: first };
    const refresh = await this.refreshAccessToken();
    return { first, refresh, final: refresh.status === 200 ? await call() : first };
  }

  /** Login/Register/guest: store the User JSON and the Authorization header as the front end does. */
  storeSession(res: PageResponse): UserJson {
    const user = res.json() as UserJson;
    this.localStorage.set('access_token', res.header('Authorization') ?? assert.fail('Authorization not readable'));
    this.localStorage.set('id', user.id);
    this.localStorage.set('nick', user.nick);
    this.localStorage.set('email', String(user.email));
    this.localStorage.set('auth', roleOf(user.auth));
    return user;
  }

  /** Logout.tsx after a 200. */
  forgetSession(): void {
    for (const key of ['access_token', 'id', 'nick', 'email', 'auth']) this.localStorage.delete(key);
  }
}

/** WaitEmailAuth.tsx's page /auth/email/<id>/<key>: the path after `email/`, split at its first `/`. */
export function emailAuthPage(link: string): { id: string; key: string } {
  const { pathname } = new URL(link);
  const rest = pathname.slice(pathname.indexOf('email/') + 'email/'.length);
  const slash = rest.indexOf('/');
  return { id: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** Subject.tsx's date column: reg_date split on `-`, `:` and space; HH:MM on the same day of the month, else YYYY-MM-DD. */
export function listDate(regDate: string, today: Date): string {
  const parts = regDate.split(/[-: ]/);
  assert.equal(parts.length, 6, `reg_date ${regDate} must split into 6 parts`);
  assert.ok(parts.every((part) => /^\d+$/.test(part)), `reg_date ${regDate} must be all digits`);
  const [year, month, day, hour, minute] = parts;
  return Number(day) === today.getDate() ? `${hour}:${minute}` : `${year}-${month}-${day}`;
}
