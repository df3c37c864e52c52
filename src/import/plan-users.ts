import { patterns } from '../features/accounts/schemas.ts';
import { sharedGuestId } from '../features/auth/roles.ts';
import { alreadyPresent, type Findings } from './findings.ts';
import { rowCheck } from './row-check.ts';
import { rowName, type SourceUser } from './source-rows.ts';
import type { TargetState } from './target-state.ts';

/** The original's marker in `user.pw` for accounts created by an OAuth login (forum-api.md §2.9). */
export const oauthMarker = 'oauth';

export interface NewUser {
  id: string;
  /** The original plaintext password, to be hashed before anything is written; null = no password login. */
  password: string | null;
  nick: string;
  email: string | null;
  auth: number;
}

/** Who names a user id without a user row: the posts (with their writer snapshot) and recommendations to insert. */
export interface UserReferences {
  posts: Array<{ user_id: string; writer?: string | null }>;
  recommends: Array<{ user_id: string }>;
}

function convert(row: SourceUser, findings: Findings): NewUser | undefined {
  const check = rowCheck(findings, rowName('user', row.id));
  const id = check.text('id', row.id, 20, true);
  const nick = check.text('nick', row.nick, 20, true);
  const email = check.optionalText('email', row.email, 254);
  const auth = check.number('auth', row.auth, 0);
  if (auth > 3) check.fail(`auth is ${auth}; only 0 (guest) … 3 (admin) exist`);
  if (!check.passed()) return undefined;
  if (email === '') findings.note('adjusted', rowName('user', id), 'email was "": stored as NULL');
  return { id, password: row.pw === oauthMarker ? null : row.pw, nick, email: email || null, auth };
}

function noteLogin(user: NewUser, findings: Findings, fromOauth: boolean): void {
  const name = rowName('user', user.id);
  if (fromOauth) return;
  if (user.password === null) findings.note('no-password-login', name, 'pw is NULL: no password to sign in with (an OAuth login may still find it by e-mail)');
  else if (!patterns.id.test(user.id)) findings.note('no-password-login', name, 'the id is outside the login rules (6–20 of a-z, 0-9, _ and -)');
  else if (!patterns.pw.test(user.password)) findings.note('no-password-login', name, 'the password is outside the login rules (8–16 letters, digits or symbols), so it can never be typed in');
}

/**
 * Nicks and e-mail addresses are unique case-insensitively here (lower() indexes), which MySQL's collation may
 * not have enforced. Whoever is already in the target keeps theirs; then the stronger claim wins: higher auth
 * (a verified address was proven), then the smaller id. A losing nick gets a numbered suffix; a losing
 * address is dropped, because two accounts cannot both be found by it (OAuth links by verified address).
 */
function claimOrder(a: NewUser, b: NewUser): number {
  return b.auth - a.auth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function planUsers(rows: SourceUser[], references: UserReferences, target: TargetState, findings: Findings): Promise<NewUser[]> {
  const candidates: NewUser[] = [];
  const oauthIds = new Set<string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const name = rowName('user', row.id);
    if (seen.has(row.id)) {
      findings.problem(name, `id '${row.id}' appears more than once in the source`);
      continue;
    }
    seen.add(row.id);
    if (row.id === sharedGuestId) {
      findings.skip('user', 'built-in guest kept');
      findings.note('guest-row', name, 'not imported: our guest account (no password, never admin) keeps the id; posts and recommendations by guest stay the guest\'s');
      continue;
    }
    const user = convert(row, findings);
    if (!user) continue;
    if (row.pw === oauthMarker) oauthIds.add(user.id);
    candidates.push(user);
  }
  const placeholders = placeholderUsers(references, new Set([...candidates.map((user) => user.id), ...target.users.keys()]), findings);
  const keys = await target.lower(candidates.concat(placeholders).flatMap((user) => (user.email ? [user.nick, user.email] : [user.nick])));
  const claims = new UniqueClaims(target);
  const inserts: NewUser[] = [];
  const isPlaceholder = new Set(placeholders);
  for (const user of [...candidates.sort(claimOrder), ...placeholders]) {
    const email = claims.email(user, keys.get(user.email ?? '') ?? null, findings);
    const present = target.users.get(user.id);
    if (present) {
      // The same id with another address is another person's account: their posts must not change hands.
      if (present.emailKey !== (email === null ? null : keys.get(email))) {
        findings.problem(rowName('user', user.id), `id '${user.id}' is already used in the target by an account with another e-mail address`);
      } else findings.skip('user', alreadyPresent);
      continue;
    }
    const nick = await claims.nick(user, keys.get(user.nick) ?? user.nick.toLowerCase(), findings);
    if (!isPlaceholder.has(user)) noteLogin(user, findings, oauthIds.has(user.id));
    inserts.push({ ...user, nick, email });
  }
  return inserts;
}

/** Accounts for ids that posts or recommendations name but no user row holds: no password, no address, auth 1. */
function placeholderUsers(references: UserReferences, known: Set<string>, findings: Findings): NewUser[] {
  const missing = new Map<string, { writer: string | null; posts: number; recommends: number }>();
  const entry = (id: string) => missing.get(id) ?? missing.set(id, { writer: null, posts: 0, recommends: 0 }).get(id)!;
  for (const post of references.posts.filter((post) => !known.has(post.user_id))) {
    const found = entry(post.user_id);
    found.writer ??= post.writer ?? null;
    found.posts += 1;
  }
  for (const recommend of references.recommends.filter((recommend) => !known.has(recommend.user_id))) entry(recommend.user_id).recommends += 1;
  return [...missing].map(([id, { writer, posts, recommends }]) => {
    findings.placeholders.user += 1;
    findings.note('placeholder-user', rowName('user', id), `created for ${posts} post(s) and ${recommends} recommendation(s) that name it; it has no password or e-mail, so nobody can sign in as it`);
    return { id, password: null, nick: writer || id, email: null, auth: 1 };
  });
}

class UniqueClaims {
  private readonly nicks = new Map<string, string>();
  private readonly emails = new Map<string, string>();
  private readonly target: TargetState;

  constructor(target: TargetState) {
    this.target = target;
    for (const [id, keys] of target.users) {
      this.nicks.set(keys.nickKey, id);
      if (keys.emailKey !== null) this.emails.set(keys.emailKey, id);
    }
  }

  /** The address the user keeps, or null when another account holds it. */
  email(user: NewUser, key: string | null, findings: Findings): string | null {
    if (user.email === null || key === null) return null;
    const holder = this.emails.get(key);
    if (holder === undefined || holder === user.id) {
      this.emails.set(key, user.id);
      return user.email;
    }
    if (!this.target.users.has(user.id)) findings.note('email-cleared', rowName('user', user.id), `'${user.email}' is also the address of '${holder}': stored as NULL`);
    return null;
  }

  /** The nick, or the first free `<nick>_<n>` (cut to fit 20 characters) when another account has it. */
  async nick(user: NewUser, key: string, findings: Findings): Promise<string> {
    let nick = user.nick;
    let nickKey = key;
    for (let n = 2; this.nicks.has(nickKey) && this.nicks.get(nickKey) !== user.id; n += 1) {
      const suffix = `_${n}`;
      nick = [...user.nick].slice(0, 20 - suffix.length).join('') + suffix;
      nickKey = (await this.target.lower([nick])).get(nick) ?? nick;
    }
    this.nicks.set(nickKey, user.id);
    if (nick !== user.nick) findings.note('nick-renamed', rowName('user', user.id), `'${user.nick}' is also the nick of '${this.nicks.get(key)}': renamed to '${nick}'`);
    return nick;
  }
}
