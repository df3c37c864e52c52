import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { OAuthProviderName } from '../../../src/config.ts';
import { storeUser } from '../../helpers/accounts.ts';
import { databaseKinds, startTestApp, type TestApp } from '../../helpers/app.ts';
import { cookieFor, refreshTokenOf } from '../../helpers/cookies.ts';
import { startFakeOAuthProvider, type FakeOAuthProvider, type ProviderAccount } from '../../helpers/fake-oauth-provider.ts';

const frontUrl = 'https://front.example';
const callbackBase = 'https://api.example';

interface Outcome {
  location: string;
  accessToken: string | null;
  refreshToken: string | undefined;
}

for (const kind of databaseKinds) {
  describe(`OAuth login through a loopback provider on ${kind}`, () => {
    let t: TestApp;
    let provider: FakeOAuthProvider;
    before(async () => {
      provider = await startFakeOAuthProvider();
      t = await startTestApp(kind, {
        env: { ...provider.env, OAUTH_CALLBACK_BASE_URL: callbackBase, FRONT_URL: frontUrl },
        oauthEndpoints: provider.endpoints,
      });
      await storeUser(t.database.db, { id: 'alice1', nick: 'alice', email: 'alice@example.com', auth: 2 });
      await storeUser(t.database.db, { id: 'boss01', nick: 'the_boss', email: 'boss@example.com', auth: 3 });
      await storeUser(t.database.db, { id: 'squat1', nick: 'squatter', email: 'owner@example.com', auth: 1 });
    });
    after(async () => {
      await t.close();
      await provider.close();
    });

    /** The browser's trip: our authorize route → the provider → our callback → the front end. */
    async function signIn(name: OAuthProviderName, account: ProviderAccount, tamper?: (callback: URL) => void): Promise<Outcome> {
      provider.signInNext(name, account);
      const start = await request(t.app).get(`/oauth2/authorization/${name}`);
      assert.equal(start.status, 302);
      const state = cookieFor(start, 'oauthState', `/login/oauth2/code/${name}`) ?? assert.fail('no state cookie');
      assert.equal(state.attributes.httponly, true);
      const atProvider = await fetch(start.headers.location ?? '', { redirect: 'manual' });
      assert.equal(atProvider.status, 302, await atProvider.text());
      const callback = new URL(atProvider.headers.get('location') ?? '');
      assert.equal(`${callback.origin}${callback.pathname}`, `${callbackBase}/login/oauth2/code/${name}`);
      tamper?.(callback);
      const done = await request(t.app)
        .get(`${callback.pathname}${callback.search}`)
        .set('Cookie', `oauthState=${encodeURIComponent(state.value)}`);
      assert.equal(done.status, 302);
      const location = done.headers.location ?? '';
      return { location, accessToken: location.startsWith(`${frontUrl}/auth/oauth/redirect?`) ? new URL(location).searchParams.get('access_token') : null, refreshToken: refreshTokenOf(done) };
    }

    async function tokenUser(outcome: Outcome) {
      const verified = await t.accessTokens.verify(outcome.accessToken ?? assert.fail(`no token: ${outcome.location}`));
      return verified.kind === 'valid' ? verified.user : assert.fail('invalid token');
    }

    const identityOwner = async (name: OAuthProviderName, providerUserId: string) =>
      (await t.database.db.selectFrom('oauth_identity').select('user_id').where('provider', '=', name).where('provider_user_id', '=', providerUserId).executeTakeFirst())?.user_id;

    for (const [name, id] of [['google', 'g-100'], ['naver', 'n-100'], ['kakao', '100']] as const) {
      it(`When a new ${name} user signs in, then a new verified account is created and the front end gets a token and the refresh cookie`, async () => {
        const outcome = await signIn(name, { id, email: `new-${name}@example.com`, emailVerified: name !== 'naver' });
        assert.match(outcome.location, new RegExp(`^${frontUrl}/auth/oauth/redirect\\?access_token=`));
        assert.ok(outcome.refreshToken);
        const user = await tokenUser(outcome);
        assert.match(user.id, /^id_[0-9a-f]{15}$/);
        assert.equal(user.role, 'ROLE_USER_CERT');
        const account = await request(t.app).get('/ajax/login/oauth').set('Authorization', outcome.accessToken ?? '');
        assert.equal(account.status, 200);
        assert.match(account.body.nick, /^user_[0-9a-f]{15}$/);
        // Naver does not say whether the address is verified, so it is not stored.
        assert.equal(account.body.email, name === 'naver' ? null : `new-${name}@example.com`);
        assert.equal(await identityOwner(name, id), user.id);

        const again = await signIn(name, { id, email: `changed-${name}@example.com`, emailVerified: true });
        assert.equal((await tokenUser(again)).id, user.id, 'a returning user is recognised by the provider id');
      });
    }

    it('When the provider verified an address an existing verified account uses, then the login links to that account', async () => {
      const outcome = await signIn('google', { id: 'g-alice', email: 'ALICE@example.com', emailVerified: true });
      assert.equal((await tokenUser(outcome)).id, 'alice1');
      assert.equal(await identityOwner('google', 'g-alice'), 'alice1');
    });

    it('§5.10 OAuth never links an unverified e-mail', async () => {
      for (const [name, account] of [
        ['google', { id: 'g-evil', email: 'alice@example.com', emailVerified: false }],
        ['kakao', { id: '666', email: 'alice@example.com', emailVerified: false }],
        ['naver', { id: 'n-evil', email: 'alice@example.com' }],
      ] as const) {
        const user = await tokenUser(await signIn(name, account));
        assert.notEqual(user.id, 'alice1', name);
        assert.notEqual(await identityOwner(name, account.id), 'alice1', name);
      }
    });

    it('When a verified address belongs to an account that never verified it, then no link: a separate account without that address', async () => {
      const user = await tokenUser(await signIn('google', { id: 'g-owner', email: 'owner@example.com', emailVerified: true }));
      assert.notEqual(user.id, 'squat1');
      const row = await t.database.db.selectFrom('user').select('email').where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.equal(row.email, null);
    });

    it('§5.11 OAuth token role is the DB role', async () => {
      const admin = await tokenUser(await signIn('kakao', { id: '300', email: 'boss@example.com', emailVerified: true }));
      assert.deepEqual(admin, { id: 'boss01', role: 'ROLE_ADMIN' });
      await t.database.db.updateTable('user').set({ auth: 1 }).where('id', '=', 'alice1').execute();
      const demoted = await tokenUser(await signIn('google', { id: 'g-alice', email: 'alice@example.com', emailVerified: true }));
      await t.database.db.updateTable('user').set({ auth: 2 }).where('id', '=', 'alice1').execute();
      assert.deepEqual(demoted, { id: 'alice1', role: 'ROLE_USER_NONCERT' });
    });

    it('When PKCE is used (google, kakao), then the authorization carries an S256 challenge; naver gets state only', async () => {
      for (const [name, id] of [['google', 'g-pkce'], ['kakao', '777'], ['naver', 'n-pkce']] as const) {
        await signIn(name, { id });
        const query = provider.authorizations.at(-1)?.query ?? assert.fail('no authorization seen');
        assert.ok(query.state, name);
        assert.equal(query.code_challenge_method, name === 'naver' ? undefined : 'S256', name);
      }
    });

    it('When the state does not match, then 302 to the error page and no token', async () => {
      const outcome = await signIn('google', { id: 'g-state', email: 'state@example.com', emailVerified: true }, (callback) => {
        callback.searchParams.set('state', 'forged');
      });
      assert.equal(outcome.location, `${frontUrl}/auth/oauth/redirect/error`);
      assert.equal(outcome.refreshToken, undefined);
    });

    it('When the user declines at the provider (no code), then 302 to the error page', async () => {
      const outcome = await signIn('naver', { id: 'n-decline' }, (callback) => {
        callback.searchParams.delete('code');
        callback.searchParams.set('error', 'access_denied');
      });
      assert.equal(outcome.location, `${frontUrl}/auth/oauth/redirect/error`);
    });

    it('When the callback arrives without the state cookie, then 302 to the error page', async () => {
      const res = await request(t.app).get('/login/oauth2/code/google?code=abc&state=def');
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, `${frontUrl}/auth/oauth/redirect/error`);
    });

    it('When the provider refuses the code, then 302 to the error page', async () => {
      const outcome = await signIn('kakao', { id: '555' }, (callback) => callback.searchParams.set('code', 'not-a-code'));
      assert.equal(outcome.location, `${frontUrl}/auth/oauth/redirect/error`);
    });

    it('When an unknown provider is asked for, then 404', async () => {
      assert.equal((await request(t.app).get('/oauth2/authorization/github')).status, 404);
      assert.equal((await request(t.app).get('/login/oauth2/code/github?code=x&state=y')).status, 404);
    });
  });
}

describe('OAuth providers without credentials', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite', { env: { OAUTH_GOOGLE_CLIENT_ID: 'id', OAUTH_GOOGLE_CLIENT_SECRET: 'secret', OAUTH_CALLBACK_BASE_URL: callbackBase } });
  });
  after(() => t.close());

  it('When a provider has no client id/secret configured, then its routes answer 404; a configured one redirects to the real provider', async () => {
    assert.equal((await request(t.app).get('/oauth2/authorization/naver')).status, 404);
    assert.equal((await request(t.app).get('/oauth2/authorization/kakao')).status, 404);
    const google = await request(t.app).get('/oauth2/authorization/google');
    assert.equal(google.status, 302);
    const location = new URL(google.headers.location ?? '');
    assert.equal(location.origin, 'https://accounts.google.com');
    assert.equal(location.searchParams.get('redirect_uri'), `${callbackBase}/login/oauth2/code/google`);
  });
});
