import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import type { OAuthProviderName } from '../../src/config.ts';
import type { ProviderEndpoints } from '../../src/features/oauth/providers.ts';
import { listen } from './raw-http.ts';

/** The person who "signs in" at the provider on the next authorization. */
export interface ProviderAccount {
  id: string;
  email?: string;
  emailVerified?: boolean;
}

interface IssuedCode {
  provider: OAuthProviderName;
  redirectUri: string;
  codeChallenge: string | undefined;
  account: ProviderAccount;
}

export interface FakeOAuthProvider {
  endpoints: Record<OAuthProviderName, ProviderEndpoints>;
  /** OAUTH_*_CLIENT_ID / _CLIENT_SECRET for all three providers. */
  env: Record<string, string>;
  signInNext(provider: OAuthProviderName, account: ProviderAccount): void;
  /** What the authorization requests carried, newest last. */
  authorizations: Array<{ provider: OAuthProviderName; query: Record<string, string> }>;
  close(): Promise<void>;
}

const clientId = (provider: OAuthProviderName) => `${provider}-client-id`;
const clientSecret = (provider: OAuthProviderName) => `${provider}-client-secret`;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The three providers' user-info payloads, shaped as google, naver and kakao send them. */
function userInfo(provider: OAuthProviderName, account: ProviderAccount): object {
  if (provider === 'google') return { sub: account.id, email: account.email, email_verified: account.emailVerified ?? false };
  if (provider === 'naver') return { resultcode: '00', message: 'success', response: { id: account.id, email: account.email, nickname: 'naver user' } };
  return {
    id: Number(account.id),
    kakao_account: { has_email: account.email !== undefined, email: account.email, is_email_valid: true, is_email_verified: account.emailVerified ?? false },
  };
}

/**
 * A real OAuth 2.0 authorization server on loopback for google, naver and kakao: the authorize redirect
 * (echoing state), the token endpoint (client secret in the body, single-use codes, redirect_uri and PKCE
 * checked) and the user-info endpoint. It is the only stand-in in the OAuth tests.
 */
export async function startFakeOAuthProvider(): Promise<FakeOAuthProvider> {
  const nextAccount = new Map<OAuthProviderName, ProviderAccount>();
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, { provider: OAuthProviderName; account: ProviderAccount }>();
  const authorizations: FakeOAuthProvider['authorizations'] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }));

  app.get('/:provider/authorize', (req, res) => {
    const provider = req.params.provider as OAuthProviderName;
    const query = req.query as Record<string, string>;
    authorizations.push({ provider, query });
    const account = nextAccount.get(provider);
    if (query.response_type !== 'code' || query.client_id !== clientId(provider) || !query.redirect_uri || !account) {
      res.status(400).send('bad authorization request');
      return;
    }
    if (query.code_challenge && query.code_challenge_method !== 'S256') {
      res.status(400).send('only S256');
      return;
    }
    const code = randomBytes(12).toString('hex');
    codes.set(code, { provider, redirectUri: query.redirect_uri, codeChallenge: query.code_challenge, account });
    const back = new URL(query.redirect_uri);
    back.searchParams.set('code', code);
    if (query.state !== undefined) back.searchParams.set('state', query.state);
    res.redirect(302, back.toString());
  });

  app.post('/:provider/token', (req, res) => {
    const provider = req.params.provider as OAuthProviderName;
    const form = req.body as Record<string, string>;
    const issued = codes.get(form.code ?? '');
    codes.delete(form.code ?? '');
    const refused =
      form.grant_type !== 'authorization_code' ||
      form.client_id !== clientId(provider) ||
      form.client_secret !== clientSecret(provider) ||
      !issued ||
      issued.provider !== provider ||
      issued.redirectUri !== form.redirect_uri ||
      (issued.codeChallenge !== undefined && (!form.code_verifier || s256(form.code_verifier) !== issued.codeChallenge));
    if (refused) {
      res.status(400).json({ error: 'invalid_grant' });
      return;
    }
    const token = randomBytes(16).toString('hex');
    accessTokens.set(token, { provider, account: issued.account });
    res.json({ access_token: token, token_type: 'bearer', expires_in: 3600 });
  });

  app.get('/:provider/userinfo', (req, res) => {
    const grant = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!grant || grant.provider !== req.params.provider) {
      res.status(401).json({ error: 'invalid_token' });
      return;
    }
    res.json(userInfo(grant.provider, grant.account));
  });

  const server = await listen(app);
  const base = `http://127.0.0.1:${server.port}`;
  const providers: OAuthProviderName[] = ['google', 'naver', 'kakao'];
  const endpointsOf = (provider: OAuthProviderName): ProviderEndpoints => ({
    authorization: `${base}/${provider}/authorize`,
    token: `${base}/${provider}/token`,
    userInfo: `${base}/${provider}/userinfo`,
  });
  return {
    endpoints: { google: endpointsOf('google'), naver: endpointsOf('naver'), kakao: endpointsOf('kakao') },
    env: Object.fromEntries(
      providers.flatMap((provider) => [
        [`OAUTH_${provider.toUpperCase()}_CLIENT_ID`, clientId(provider)],
        [`OAUTH_${provider.toUpperCase()}_CLIENT_SECRET`, clientSecret(provider)],
      ]),
    ),
    signInNext: (provider, account) => void nextAccount.set(provider, account),
    authorizations,
    close: server.close,
  };
}
