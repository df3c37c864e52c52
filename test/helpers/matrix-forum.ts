import assert from 'node:assert/strict';
import request from 'supertest';
import { storeUser } from './accounts.ts';
import { startTestApp, type DatabaseKind, type TestApp, type TestAppOptions } from './app.ts';
import { publicApiOrigin } from './browser.ts';
import { CookieJar } from './cookie-jar.ts';
import { setCookieLines } from './cookies.ts';
import { startFakeOAuthProvider, type FakeOAuthProvider } from './fake-oauth-provider.ts';
import { asFrontEnd, writePost } from './forum.ts';
import { emailAuthPage } from './front-end.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.ts';
import { expiredAccessToken } from './tokens.ts';

/** The columns of the authorization matrix, in order. */
export const callerNames = ['anonymous', 'expired', 'unverified', 'verified', 'author', 'admin', 'guest'] as const;
export type CallerName = (typeof callerNames)[number];

/** Who plays each column. The expired column is the verified user 31 minutes after the last refresh. */
export const cast = {
  author: { id: 'alice1', pw: 'alicepass1!', auth: 2 },
  verified: { id: 'bob123', pw: 'bobpass123', auth: 2 },
  unverified: { id: 'carol1', pw: 'carolpass1', auth: 1 },
  admin: { id: 'root01', pw: 'rootpass12', auth: 3 },
} as const;

interface Session {
  token: string;
  jar: CookieJar;
}

/** One caller: the front end's headers with its token, its own client address, and its cookies by the browser's rules. */
export interface Caller {
  readonly name: CallerName;
  get(path: string): request.Test;
  post(path: string): request.Test;
  /** The same caller after logging in again: a fresh refresh cookie, for the calls that use one up. */
  renewed(): Promise<Caller>;
}

function caller(t: TestApp, name: CallerName, address: string, session: Session | undefined, start?: () => Promise<Session>): Caller {
  const prepare = (test: request.Test, path: string) => {
    const cookie = session?.jar.header(new URL(path, publicApiOrigin));
    const prepared = asFrontEnd(test, session?.token ?? '').set('X-Forwarded-For', address);
    return cookie ? prepared.set('Cookie', cookie) : prepared;
  };
  return {
    name,
    get: (path) => prepare(request(t.app).get(path), path),
    post: (path) => prepare(request(t.app).post(path), path),
    renewed: async () => (start ? caller(t, name, address, await start(), start) : caller(t, name, address, session)),
  };
}

async function sessionFrom(res: request.Response, path: string): Promise<Session> {
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  const jar = new CookieJar();
  jar.store(setCookieLines(res), new URL(path, publicApiOrigin));
  return { token: res.headers.authorization ?? assert.fail('no Authorization header'), jar };
}

/** A forum on a real database with the cast signed in through the API, a subject the author administers and three posts. */
export class MatrixForum {
  readonly sid = 'alices';
  readonly code = 'Ab12Cd';
  readonly posts = { public: 0, nonpw: 0, coded: 0 };
  /** Posts of the guest column (guest A): a second guest (guest B) must get nothing of them. */
  readonly guestPosts = { public: 0, nonpw: 0, coded: 0 };
  readonly callers = new Map<CallerName, Caller>();
  /** Another guest, signed in from another address. */
  guestB!: Caller;
  readonly t: TestApp;
  private readonly smtp: SmtpSink;
  private readonly oauth: FakeOAuthProvider;
  private serial = 0;

  private constructor(t: TestApp, smtp: SmtpSink, oauth: FakeOAuthProvider) {
    this.t = t;
    this.smtp = smtp;
    this.oauth = oauth;
  }

  static async start(kind: DatabaseKind, options: Pick<TestAppOptions, 'env' | 'rateLimits'> = {}): Promise<MatrixForum> {
    const smtp = await startSmtpSink();
    const oauth = await startFakeOAuthProvider();
    const t = await startTestApp(kind, {
      ...options,
      env: { SMTP_URL: smtp.url, ...oauth.env, OAUTH_CALLBACK_BASE_URL: publicApiOrigin, ...options.env },
      oauthEndpoints: oauth.endpoints,
    });
    const forum = new MatrixForum(t, smtp, oauth);
    try {
      await forum.prepare();
    } catch (error) {
      await forum.close();
      throw error;
    }
    return forum;
  }

  private login(account: { id: string; pw: string }, address: string) {
    return async () => sessionFrom(await request(this.t.app).post('/ajax/login/').set('X-Forwarded-For', address).send(account), '/ajax/login/');
  }

  private async prepare(): Promise<void> {
    for (const account of Object.values(cast)) await storeUser(this.t.database.db, account);
    const addresses = new Map(callerNames.map((name, index) => [name, `198.51.100.${index + 1}`]));
    const guestLogin = (address: string) => async () => sessionFrom(await request(this.t.app).get('/ajax/login/guest').set('X-Forwarded-For', address), '/ajax/login/guest');
    const address = (name: CallerName) => addresses.get(name) ?? assert.fail(name);
    const expiredToken = () => expiredAccessToken(this.t.accessTokens, { id: cast.verified.id, role: 'ROLE_USER_CERT' });
    const starts: Record<Exclude<CallerName, 'anonymous'>, () => Promise<Session>> = {
      expired: async () => ({ ...(await this.login(cast.verified, address('expired'))()), token: await expiredToken() }),
      unverified: this.login(cast.unverified, address('unverified')),
      verified: this.login(cast.verified, address('verified')),
      author: this.login(cast.author, address('author')),
      admin: this.login(cast.admin, address('admin')),
      guest: guestLogin(address('guest')),
    };
    this.callers.set('anonymous', caller(this.t, 'anonymous', address('anonymous'), undefined));
    for (const [name, start] of Object.entries(starts) as Array<[CallerName, () => Promise<Session>]>) {
      this.callers.set(name, caller(this.t, name, address(name), await start(), start));
    }
    const guestB = guestLogin('198.51.100.99');
    this.guestB = caller(this.t, 'guest', '198.51.100.99', await guestB(), guestB);
    await this.subject(this.sid);
    this.posts.public = await this.post(null);
    this.posts.nonpw = await this.post('nonpw');
    this.posts.coded = await this.post(this.code);
    this.guestPosts.public = await this.post(null, 'guest');
    this.guestPosts.nonpw = await this.post('nonpw', 'guest');
    this.guestPosts.coded = await this.post(this.code, 'guest');
  }

  private as(name: CallerName): Caller {
    return this.callers.get(name) ?? assert.fail(name);
  }

  unique(prefix: string): string {
    this.serial += 1;
    return `${prefix}${this.serial}`;
  }

  /** A new post of the author (or `writer`) in the author's subject: null = public, 'nonpw', or a 6-character code. */
  async post(pw: string | null = null, writer: CallerName = 'author'): Promise<number> {
    const res = await this.as(writer).post('/ajax/board/create').send({ sid: this.sid, title: 'a post', content: '<p>text</p>', pw });
    assert.equal(res.status, 200, res.text);
    return res.body as number;
  }

  /** A new, empty subject the author administers, opened by the administrator as the front end does. */
  async subject(id = this.unique('subject-')): Promise<string> {
    const res = await this.as('admin').post('/ajax/subject/regi').send({ id, title: `${id} title`, description: '<p>about</p>', admin: cast.author.id });
    assert.equal(res.status, 200, res.text);
    return res.body as string;
  }

  registration() {
    const id = this.unique('newbie');
    return { id, pw: 'newbiepass1', pwRe: 'newbiepass1', nick: `${id}_n`, email: `${id}@example.com` };
  }

  /** The id and key of a verification link mailed to a fresh unverified account, read from the real SMTP sink. */
  async mailedLink(): Promise<{ id: string; key: string }> {
    const account = await storeUser(this.t.database.db, { id: this.unique('pending'), auth: 1 });
    const token = await this.t.accessTokens.issue({ id: account.id, role: 'ROLE_USER_NONCERT' });
    const sent = await asFrontEnd(request(this.t.app).post('/ajax/auth/email/'), token).send('');
    assert.equal(sent.status, 200, sent.text);
    const mail = await this.mailTo(account.email);
    return emailAuthPage(/https:\S+/.exec(mail.text)?.[0] ?? assert.fail(mail.text));
  }

  /** The next mail to this address; mails to other addresses (a cell that asked for one) are passed over. */
  private async mailTo(address: string): Promise<ReceivedMail> {
    for (;;) {
      const mail = await this.smtp.nextMail();
      if (mail.to.includes(address)) return mail;
    }
  }

  async close(): Promise<void> {
    await this.t.close();
    await this.smtp.close();
    await this.oauth.close();
  }
}
