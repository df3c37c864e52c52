import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import request from 'supertest';
import { VerifiedTokens } from '../../../src/features/auth/verified-tokens.ts';
import { frontOrigin, startTestApp, testSecret, type TestApp } from '../../helpers/app.ts';
import { addUser } from '../../helpers/forum.ts';

const alice = { id: 'alice1', role: 'ROLE_USER_CERT' } as const;

describe('The verified-token cache', () => {
  it("When a remembered token reaches its exp, then it is no longer known", () => {
    const tokens = new VerifiedTokens(10);
    tokens.remember('token', alice, 10_000, 0);
    assert.deepEqual(tokens.userOf('token', 9_999), alice);
    assert.equal(tokens.userOf('token', 10_000), undefined);
  });

  it('When a token has already expired, then it is not kept at all', () => {
    const tokens = new VerifiedTokens(10);
    tokens.remember('token', alice, 5_000, 5_000);
    assert.equal(tokens.userOf('token', 0), undefined);
  });

  it('When more tokens are verified than it keeps, then the oldest is forgotten', () => {
    const tokens = new VerifiedTokens(2);
    for (const token of ['a', 'b', 'c']) tokens.remember(token, alice, 10_000, 0);
    assert.equal(tokens.userOf('a', 0), undefined);
    assert.deepEqual(tokens.userOf('c', 0), alice);
  });
});

describe('Tokens verified before, through the API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
    await addUser(t, 'alice1');
  });
  after(() => t.close());

  const account = (token: string) => request(t.app).post('/ajax/account/').set('Origin', frontOrigin).set('Authorization', token);
  const signed = (expiresAt: number) =>
    new SignJWT({ role: 'ROLE_USER_CERT' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice1')
      .setIssuer('forum-api')
      .setAudience('forum')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(testSecret));

  it('When an accepted token comes back with another signature, then 401', async () => {
    const token = await t.accessTokens.issue(alice);
    assert.equal((await account(token)).status, 200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await account(forged)).status, 401);
    assert.equal((await account(token)).status, 200);
  });

  it('When a token accepted a moment ago expires, then the next request gets 303', async () => {
    const token = await signed(Math.floor(Date.now() / 1000) + 1);
    assert.equal((await account(token)).status, 200);
    // Past exp and the 5 s clock tolerance jose allows.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    assert.equal((await account(token)).status, 303);
  });
});
