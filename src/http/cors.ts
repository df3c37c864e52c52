import cors from 'cors';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';

/** Response headers the front end may read: the refreshed token, and the id that ties an answer to our logs. */
export const exposedHeaders = ['Authorization', 'X-Request-Id', 'X-Total-Count'];

/**
 * CORS for the front end's origins. Runs before anything that can fail, so every answer — errors included —
 * carries the headers the browser needs to show our status instead of a "CORS error". A refused origin gets
 * `Vary: Origin` and no Access-Control-Allow-Origin; its preflight is still answered here, never by a route.
 */
export function corsPolicy(allowedOrigins: readonly string[], logger: Logger): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const refusedOriginsLogged = new Set<string>();
  const policy = cors({
    origin: [...allowedOrigins],
    credentials: true,
    // Lists as strings: cors joins array options again on every request.
    methods: 'GET,HEAD,POST,PATCH,PUT,DELETE,OPTIONS',
    allowedHeaders: 'Authorization,Content-Type,Accept',
    exposedHeaders: exposedHeaders.join(','),
    maxAge: 7200,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    // Logged once per origin: a misconfigured CORS_ORIGINS shows up at 3 a.m. without flooding the log.
    if (origin !== undefined && !allowed.has(origin) && refusedOriginsLogged.size < 100 && !refusedOriginsLogged.has(origin)) {
      refusedOriginsLogged.add(origin);
      logger.warn({ origin, allowed: allowedOrigins }, 'origin not in CORS_ORIGINS: answering without CORS headers');
    }
    policy(req, res, next);
  };
}
