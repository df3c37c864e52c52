import type { Application, Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { errors } from './errors.ts';
import { memoryRateLimits, type RateLimitStores } from './rate-limit-stores.ts';

export interface RateLimitOptions {
  /** Shown in logs and used to keep each limit's counters apart. */
  name: string;
  windowMs: number;
  limit: number;
  /** What is counted; defaults to the client address (behind the ALB, from `trust proxy`). */
  key?: (req: Request) => string;
}

/** The client address as Express computes it with `trust proxy` (IPv6 grouped by /56, as the library advises). */
export const clientKey = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** Where an app's limits count: createApp sets it (src/http/rate-limit-stores.ts); in memory when unset. */
export const rateLimitStoresOf = (app: Application): RateLimitStores => (app.locals.rateLimitStores as RateLimitStores | undefined) ?? memoryRateLimits();

const rateLimiters = new WeakSet<RequestHandler>();

/** Whether `handler` is a limit made by limitRate (the OpenAPI document lists 429 for it; test sweeps mount routes without them). */
export const isRateLimit = (handler: unknown): boolean => typeof handler === 'function' && rateLimiters.has(handler as RequestHandler);

/**
 * A rate limit answering 429 through the error catalogue (so with CORS headers, Retry-After and the request
 * id). Its counters live where the app's rate-limit stores are (in memory, PostgreSQL or Redis), one store per
 * app that uses the limit, made on its first request.
 */
export function limitRate(options: RateLimitOptions): RequestHandler {
  const key = options.key ?? clientKey;
  const perApp = new WeakMap<object, RequestHandler>();
  const limiterFor = (app: Application) =>
    rateLimit({
      windowMs: options.windowMs,
      limit: options.limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      identifier: options.name,
      store: rateLimitStoresOf(app).create(),
      // Made on an app's first request by design (the store belongs to the app, not to this module).
      validate: { creationStack: false },
      keyGenerator: (req) => `${options.name}:${key(req)}`,
      handler: (req, _res, next) => {
        const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
        next(errors.tooManyRequests(seconds));
      },
    });
  const limit: RequestHandler = (req, res, next) => {
    let limiter = perApp.get(req.app);
    if (limiter === undefined) {
      limiter = limiterFor(req.app);
      perApp.set(req.app, limiter);
    }
    return limiter(req, res, next);
  };
  rateLimiters.add(limit);
  return limit;
}

