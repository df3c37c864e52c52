import type { RequestHandler } from 'express';
import { errors } from './errors.ts';

// What a browser says about a request without an Origin header (Fetch Metadata): only pages of the API's own site.
const sameSiteFetches = new Set(['same-origin', 'same-site']);

/**
 * For the routes that act on the refresh cookie (logout, refresh): the browser attaches that cookie by itself,
 * also to a form another site submits (a text/plain POST needs no preflight), so those routes must know the
 * page that sent the request is the front end's. Browsers send Origin with every POST: it must be one of
 * CORS_ORIGINS; without one, Sec-Fetch-Site must say the request came from the API's own site. Anything
 * else (another site, or a client that names no origin) is 403, rendered with the CORS headers as usual.
 */
export function refuseCrossSite(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    const fetchSite = req.headers['sec-fetch-site'];
    const fromFrontEnd = origin !== undefined ? allowed.has(origin) : typeof fetchSite === 'string' && sameSiteFetches.has(fetchSite);
    if (!fromFrontEnd) throw errors.crossSiteRequest();
    next();
  };
}
