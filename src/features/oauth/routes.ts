import type { Request, Response } from 'express';
import { z } from 'zod';
import { generateCodeVerifier, generateState } from 'arctic';
import { errors } from '../../http/errors.ts';
import { text } from '../../http/fields.ts';
import { route, type AnyRoute } from '../../http/routes.ts';
import type { AuthService } from '../auth/service.ts';
import type { SessionCookies } from '../auth/session-cookie.ts';
import type { OAuthClient } from './client.ts';
import { oauthProviderNames, type OAuthProviderName } from '../../config.ts';
import { pendingAuthorization, type OAuthService, type PendingAuthorization } from './service.ts';

const stateCookieName = 'oauthState';
const stateLifetimeMs = 10 * 60_000;
const providerParams = z.object({ provider: text() });

export interface OAuthRouteDependencies {
  oauth: OAuthService;
  auth: AuthService;
  cookies: SessionCookies;
  clients: ReadonlyMap<OAuthProviderName, OAuthClient>;
  frontUrl: string;
}

/** The state cookie is signed (cookie-parser), host-only, and sent back only to this provider's callback. */
const stateCookieOptions = (provider: OAuthProviderName) =>
  ({ signed: true, httpOnly: true, secure: true, sameSite: 'lax', path: `/login/oauth2/code/${provider}` }) as const;

function enabledClient(clients: OAuthRouteDependencies['clients'], req: Request): { provider: OAuthProviderName; client: OAuthClient } {
  const provider = oauthProviderNames.find((name) => name === req.params.provider);
  const client = provider && clients.get(provider);
  if (!provider || !client) throw errors.oauthProviderUnavailable();
  return { provider, client };
}

function takePendingAuthorization(req: Request, res: Response, provider: OAuthProviderName): PendingAuthorization | undefined {
  res.clearCookie(stateCookieName, stateCookieOptions(provider));
  if (req.signedCookies === undefined) throw new Error('cookies were not parsed: declare usesCookies on this route');
  const raw: unknown = req.signedCookies[stateCookieName];
  if (typeof raw !== 'string') return undefined;
  try {
    return pendingAuthorization.parse(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

export function oauthRoutes({ oauth, auth, cookies, clients, frontUrl }: OAuthRouteDependencies): AnyRoute[] {
  // The configured providers are the closed set; any other value is answered 404 (OAUTH_PROVIDER_UNAVAILABLE).
  const configured = [...clients.keys()];
  const params = z.object({
    provider: z
      .enum(configured as [OAuthProviderName, ...OAuthProviderName[]])
      .describe(configured.length > 0 ? 'a configured provider' : 'no provider is configured (OAUTH_*_CLIENT_ID): every value is answered 404'),
  });
  const unknownProvider = { description: 'no such provider, or it is not configured (OAUTH_PROVIDER_UNAVAILABLE)' };
  return [
    route({
      method: 'get',
      path: '/oauth2/authorization/:provider',
      tag: 'oauth',
      usesCookies: true,
      database: false,
      params: providerParams,
      documentedParams: params,
      summary: 'Start an OAuth login (google, naver or kakao): redirects to the provider',
      responses: {
        302: { description: 'to the provider, with a signed state cookie' },
        404: unknownProvider,
      },
      handle: ({ req, res }) => {
        const { provider, client } = enabledClient(clients, req);
        const pending: PendingAuthorization = { provider, state: generateState(), ...(client.pkce ? { codeVerifier: generateCodeVerifier() } : {}) };
        res.cookie(stateCookieName, JSON.stringify(pending), { ...stateCookieOptions(provider), maxAge: stateLifetimeMs });
        res.redirect(302, client.authorizationUrl(pending.state, pending.codeVerifier).toString());
      },
    }),
    route({
      method: 'get',
      path: '/login/oauth2/code/:provider',
      tag: 'oauth',
      usesCookies: true,
      params: providerParams,
      documentedParams: params,
      cookies: z.object({ [stateCookieName]: text().optional() }),
      cookieDocs: { [stateCookieName]: 'the signed state the start of the login set (host-only, this path only)' },
      summary: 'The provider redirects back here; we redirect to the front end with an access token',
      responses: {
        302: {
          description:
            'success: <FRONT_URL>/auth/oauth/redirect?access_token=… with the refresh cookie; any failure: <FRONT_URL>/auth/oauth/redirect/error',
        },
        404: unknownProvider,
      },
      handle: async ({ req, res }) => {
        const { provider, client } = enabledClient(clients, req);
        const pending = takePendingAuthorization(req, res, provider);
        try {
          const session = await auth.start(await oauth.complete(client, provider, req.query, pending));
          cookies.set(res, session.refreshToken, session.refreshTokenExpiresAt);
          // Accepted risk: the unmodified front end reads the token from this query (docs/compatibility.md, OAuth).
          res.redirect(302, `${frontUrl}/auth/oauth/redirect?access_token=${encodeURIComponent(session.accessToken)}`);
        } catch (error) {
          req.log.warn({ err: error, provider }, 'OAuth login failed');
          res.redirect(302, `${frontUrl}/auth/oauth/redirect/error`);
        }
      },
    }),
  ];
}
