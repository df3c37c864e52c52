/**
 * THE list of routes that need no access token. Every other route requires one (default deny).
 *
 * Entries are matched against the path a route is *declared* with (never against request URLs), so the
 * decision is bound to the handler Express picks, whatever case, slashes or encoding the request used.
 * `/**` covers the prefix and everything under it, as in the original's Spring config (forum-api.md §2.1).
 */
export const publicRoutes = [
  '/',
  '/ajax/health/**',
  '/ajax/openapi.json',
  // The API reference page and its files (src/http/api-reference.ts), when API_DOCS is on.
  '/ajax/docs/**',
  '/ajax/login/',
  '/ajax/login/guest',
  '/ajax/register/**',
  '/ajax/auth/refresh',
  '/ajax/logout/**',
  '/ajax/auth/email/verify/**',
  '/ajax/board/read',
  '/ajax/board/read-secret',
  '/ajax/board/list',
  '/ajax/subject/all',
  '/ajax/subject/get',
  // Outside /ajax the original restricted nothing: the OAuth browser redirects.
  '/oauth2/authorization/:provider',
  '/login/oauth2/code/:provider',
] as const;

/**
 * Routes that do not answer an expired token with 303: the token is what the caller came to replace
 * (refresh), or the caller is a load balancer that sends none.
 */
export const expiredTokenAccepted = ['/', '/ajax/health/**', '/ajax/auth/refresh'] as const;

function matches(patterns: readonly string[], routePath: string): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('/**')
      ? routePath === pattern.slice(0, -3) || routePath.startsWith(pattern.slice(0, -2))
      : routePath === pattern,
  );
}

export interface RouteAccess {
  requiresToken: boolean;
  acceptsExpiredToken: boolean;
}

export function accessFor(routePath: string): RouteAccess {
  return {
    requiresToken: !matches(publicRoutes, routePath),
    acceptsExpiredToken: matches(expiredTokenAccepted, routePath),
  };
}
