import { CodeChallengeMethod, OAuth2Client } from 'arctic';
// arctic's Naver and Kakao classes send the client secret in the form body (as those providers require) but
// hard-code their endpoints; these are the two helpers those classes use, called with our endpoints.
import { createOAuth2Request, sendTokenRequest } from 'arctic/dist/request.js';
import type { OAuthProviderName } from '../../config.ts';
import { providerSpecs, type ProviderEndpoints, type ProviderProfile } from './providers.ts';

const providerTimeoutMs = 10_000;

export interface OAuthClient {
  readonly pkce: boolean;
  authorizationUrl(state: string, codeVerifier: string | undefined): URL;
  /** Exchanges the callback's code for a token and asks the provider who the user is. */
  profile(code: string, codeVerifier: string | undefined): Promise<ProviderProfile>;
}

export interface OAuthClientOptions {
  provider: OAuthProviderName;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  endpoints: ProviderEndpoints;
}

export function oauthClient({ provider, clientId, clientSecret, redirectUri, endpoints }: OAuthClientOptions): OAuthClient {
  const spec = providerSpecs[provider];
  const client = new OAuth2Client(clientId, clientSecret, redirectUri);

  async function accessToken(code: string, codeVerifier: string | undefined): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: clientSecret });
    if (codeVerifier) body.set('code_verifier', codeVerifier);
    const request = new Request(createOAuth2Request(endpoints.token, body), { signal: AbortSignal.timeout(providerTimeoutMs) });
    return (await sendTokenRequest(request)).accessToken();
  }

  return {
    pkce: spec.pkce,
    authorizationUrl(state, codeVerifier) {
      return spec.pkce && codeVerifier
        ? client.createAuthorizationURLWithPKCE(endpoints.authorization, state, CodeChallengeMethod.S256, codeVerifier, spec.scopes)
        : client.createAuthorizationURL(endpoints.authorization, state, spec.scopes);
    },
    async profile(code, codeVerifier) {
      const token = await accessToken(code, codeVerifier);
      const response = await fetch(endpoints.userInfo, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      if (!response.ok) throw new Error(`${provider} user info answered ${response.status}`);
      return spec.profile(await response.json());
    },
  };
}
