import { isUtf8 } from 'node:buffer';
import type { RequestListener } from 'node:http';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Config, OAuthProviderName } from './config.ts';
import type { CacheNotices } from './db/cache-notices.ts';
import type { Db, DatabaseProbe } from './db/index.ts';
import { featureRoutes } from './features/index.ts';
import type { AccessTokens } from './features/auth/access-token.ts';
import type { ProviderEndpoints } from './features/oauth/providers.ts';
import { authenticateAccessToken, unmatchedRoute } from './http/authentication.ts';
import { boundedTurns } from './http/bounded-turns.ts';
import { apiReferencePage, apiReferencePath } from './http/api-reference.ts';
import { applyTrustProxy } from './http/client-address.ts';
import { corsPolicy } from './http/cors.ts';
import { errorHandler, errors } from './http/errors.ts';
import { healthOperations, mountHealthRoutes, type EarlyHealth } from './http/health.ts';
import { openApiRoute } from './http/openapi.ts';
import type { RateLimitStores } from './http/rate-limit-stores.ts';
import { accessLog, stampResponse } from './http/request-logging.ts';
import { mountRoutes, type AnyRoute } from './http/routes.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  db: Db;
  probe: DatabaseProbe;
  lifecycle: Lifecycle;
  accessTokens: AccessTokens;
  /** Where rate limits count (src/http/rate-limit-stores.ts); in this process when unset. */
  rateLimitStores?: RateLimitStores;
  /** Cross-instance cache invalidation (PostgreSQL LISTEN/NOTIFY); each instance's caches on their own when unset. */
  cacheNotices?: CacheNotices;
  /** Only tests set this: OAuth provider endpoints on loopback instead of the real providers. */
  oauthEndpoints?: Partial<Record<OAuthProviderName, ProviderEndpoints>>;
  /** Only tests set this to false: no rate limits (the schema sweep and the conformance run send thousands of requests). */
  rateLimits?: boolean;
}

export interface App extends Express {
  locals: Express['locals'] & { routes: AnyRoute[]; earlyHealth: EarlyHealth };
}

/** Builds the Express app; reading it top to bottom is the path every request takes. It does not listen. */
export function createApp({ config, logger, db, probe, lifecycle, accessTokens, rateLimitStores, cacheNotices, oauthEndpoints, rateLimits }: AppDependencies): App {
  const app = express() as App;
  if (rateLimitStores) app.locals.rateLimitStores = rateLimitStores;
  app.disable('x-powered-by');
  app.set('etag', false);
  const warnIgnoredForwardedFor = applyTrustProxy(app, config.trustProxy, logger);

  app.use(stampResponse(() => lifecycle.draining));
  app.locals.earlyHealth = mountHealthRoutes(app, probe, lifecycle, logger, config.apiDocs ? { docsPath: apiReferencePath } : {});
  app.use(warnIgnoredForwardedFor);

  app.use(accessLog(logger));
  // An HTML page with its own headers, before the API's strict ones (API_DOCS).
  if (config.apiDocs) app.use(apiReferencePage());
  app.use(securityHeaders());
  const cors = corsPolicy(config.corsOrigins, logger);
  app.use(cors);
  app.use(authenticateAccessToken(accessTokens));

  const routes = featureRoutes({
    db,
    config,
    logger,
    accessTokens,
    onClose: (task) => lifecycle.onClose(task),
    ...(cacheNotices ? { cacheNotices } : {}),
    ...(oauthEndpoints ? { oauthEndpoints } : {}),
  });
  routes.push(openApiRoute(() => [...healthOperations, ...routes]));
  // JSON is UTF-8 (RFC 8259): other bytes would be read as U+FFFD, silently changing the text (issue 14).
  const verify = (_req: unknown, _res: unknown, body: Buffer) => {
    if (!isUtf8(body)) throw errors.malformedJson('the request body is not valid UTF-8');
  };
  const parsers = { json: express.json({ strict: false, limit: config.bodyLimit, verify }), cookies: cookieParser(config.cookieSecret) };
  mountRoutes(app, routes, parsers, { rateLimits });
  app.locals.routes = routes;

  app.use(unmatchedRoute);
  app.use(
    errorHandler({
      exposeStack: config.env === 'development',
      applyCors: cors,
      onDatabaseUnavailable: (error) => probe.markUnavailable(error),
    }),
  );
  return app;
}

/** Requests started per turn of the event loop, beyond which the rest wait for the next turn (src/http/bounded-turns.ts). */
export const requestsPerTurn = 8;

/**
 * What the HTTP server runs for every request: the ALB's health probes are answered at once, with the headers
 * and bodies of the health routes, and never wait behind Express's router; everything else goes to `app`, at
 * most `requestsPerTurn` per turn of the event loop, so a probe never waits behind a whole burst either.
 */
export function requestListener(app: App): RequestListener {
  const { earlyHealth } = app.locals;
  const handle = boundedTurns((req, res) => app(req, res), requestsPerTurn);
  return (req, res) => {
    if (!earlyHealth(req, res)) handle(req, res);
  };
}
