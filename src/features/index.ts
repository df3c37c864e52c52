import type { Config, OAuthProviderName } from '../config.ts';
import type { CacheNotices } from '../db/cache-notices.ts';
import type { Db } from '../db/index.ts';
import type { TaggedJson } from '../http/revalidated.ts';
import { responseCache } from '../http/response-cache.ts';
import { refuseCrossSite } from '../http/same-site.ts';
import type { AnyRoute } from '../http/routes.ts';
import type { Logger } from '../logger.ts';
import { createMailer } from '../mail/mailer.ts';
import { accountRepository } from './accounts/repository.ts';
import { accountRoutes } from './accounts/routes.ts';
import { accountService } from './accounts/service.ts';
import type { AccessTokens } from './auth/access-token.ts';
import { refreshTokenRepository } from './auth/repository.ts';
import { authRoutes } from './auth/routes.ts';
import { authService } from './auth/service.ts';
import { sessionCookies } from './auth/session-cookie.ts';
import { boardRepository } from './boards/repository.ts';
import { boardRoutes } from './boards/routes.ts';
import { boardService, largestCachedPost, type BoardPage, type InTransaction, type ReadPost } from './boards/service.ts';
import { viewCounter } from './boards/view-counter.ts';
import { emailVerificationRepository } from './email-verification/repository.ts';
import { emailVerificationRoutes } from './email-verification/routes.ts';
import { emailVerificationService } from './email-verification/service.ts';
import { oauthClient, type OAuthClient } from './oauth/client.ts';
import { providerEndpoints, type ProviderEndpoints } from './oauth/providers.ts';
import { oauthIdentityRepository } from './oauth/repository.ts';
import { oauthRoutes } from './oauth/routes.ts';
import { oauthService } from './oauth/service.ts';
import { subjectRepository } from './subjects/repository.ts';
import { subjectRoutes } from './subjects/routes.ts';
import { subjectService } from './subjects/service.ts';

export interface FeatureDependencies {
  db: Db;
  config: Config;
  logger: Logger;
  accessTokens: AccessTokens;
  /** Registers work to finish when the server stops, after its last request (writing counted views). */
  onClose(task: () => Promise<void>): void;
  /** Several instances on one PostgreSQL: writes drop the caches on all of them (src/db/cache-notices.ts). */
  cacheNotices?: CacheNotices;
  /** Where the OAuth providers live; only tests change it (to a provider on loopback). */
  oauthEndpoints?: Partial<Record<OAuthProviderName, ProviderEndpoints>>;
}

function oauthClients(config: Config, endpoints: FeatureDependencies['oauthEndpoints']): Map<OAuthProviderName, OAuthClient> {
  const clients = new Map<OAuthProviderName, OAuthClient>();
  for (const { provider, clientId, clientSecret } of config.oauth.providers) {
    const redirectUri = `${config.oauth.callbackBaseUrl}/login/oauth2/code/${provider}`;
    clients.set(provider, oauthClient({ provider, clientId, clientSecret, redirectUri, endpoints: endpoints?.[provider] ?? providerEndpoints[provider] }));
  }
  return clients;
}

/** Wires each feature's repository → service → routes. */
export function featureRoutes({ db, config, logger, accessTokens, onClose, cacheNotices, oauthEndpoints }: FeatureDependencies): AnyRoute[] {
  const cookies = sessionCookies(config.cookieDomain, config.devHttpCookies);
  if (config.devHttpCookies) logger.warn('DEV_HTTP_COOKIES: the refresh cookie is sent over plain http (development only)');
  const accounts = accountService(accountRepository(db));
  // Every page of the front end lists the subjects, which change a few times a year.
  const shared = (name: string) => (cacheNotices ? { shared: { name, notices: cacheNotices } } : {});
  const listing = responseCache<TaggedJson>({ maxAgeMs: config.subjectListCacheMs, maxEntries: 1, ...shared('subjects') });
  const subjects = subjectService({ subjects: subjectRepository(db), accounts, listing });
  // A post's number comes from its subject's row: both features' repositories join one transaction.
  const inTransaction: InTransaction = (work) =>
    db.transaction().execute((trx) =>
      work({ boards: boardRepository(trx, config.timeZone), subjects: subjectService({ subjects: subjectRepository(trx), accounts, listing }) }),
    );
  // List pages are read far more often than posts are written: a brief cache takes most reads off the database.
  const pages = responseCache<BoardPage>({ maxAgeMs: config.boardListCacheMs, maxEntries: 1000, ...shared('board-pages') });
  // Reading a post is the most frequent request after the lists: the post is held briefly, its view counted in
  // memory and written in batches (adding, so instances sharing the database never overwrite each other).
  const posts = responseCache<ReadPost>({
    maxAgeMs: config.boardPostCacheMs,
    maxEntries: 500,
    keepIf: ({ row }) => (row?.content.length ?? 0) <= largestCachedPost,
    ...shared('board-posts'),
  });
  const boardRows = boardRepository(db, config.timeZone);
  const views = viewCounter({ addViews: boardRows.addViews, flushEveryMs: config.boardViewFlushMs, logger });
  onClose(views.close);
  const boards = boardService({ boards: boardRows, accounts, inTransaction, pages, posts, views });
  const auth = authService({ refreshTokens: refreshTokenRepository(db), accounts, accessTokens, guestLogin: config.guestLogin });
  const verification = emailVerificationService({
    verifications: emailVerificationRepository(db),
    accounts,
    auth,
    mailer: createMailer(config.mail, logger),
    frontUrl: config.frontUrl,
  });
  const oauth = oauthService(oauthIdentityRepository(db), accounts);
  return [
    ...subjectRoutes(subjects),
    ...boardRoutes(boards),
    ...accountRoutes(accounts, auth, cookies),
    ...authRoutes(auth, accounts, cookies, refuseCrossSite(config.corsOrigins)),
    ...emailVerificationRoutes(verification),
    ...oauthRoutes({ oauth, auth, cookies, clients: oauthClients(config, oauthEndpoints), frontUrl: config.frontUrl }),
  ];
}
