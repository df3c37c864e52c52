import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { errors } from './errors.ts';

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

/**
 * A per-app, in-memory rate limit answering 429 through the error catalogue (so with CORS headers,
 * Retry-After and the request id). Each call creates its own counters: build limits inside the app factory.
 */
export function limitRate(options: RateLimitOptions): RequestHandler {
  const key = options.key ?? clientKey;
  const limiter = rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    identifier: options.name,
    keyGenerator: (req) => `${options.name}:${key(req)}`,
    handler: (req, _res, next) => {
      const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      next(errors.tooManyRequests(seconds));
    },
  });
  return Object.assign(limiter, { [rateLimitMark]: options.name });
}

const rateLimitMark = Symbol('rate limit');

/** Whether a route's `before` handler is one of these limits (the OpenAPI document lists 429 for it). */
export const isRateLimit = (handler: unknown): boolean => typeof handler === 'function' && rateLimitMark in handler;
