import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { requestLineRedaction, type Logger } from '../logger.ts';
import { redactUrl } from './url.ts';

// Incoming ids are copied into logs and a response header: accept only a plain token of sane length.
const acceptableId = /^[\w\-.:;=/+@]{1,200}$/;

function incomingId(req: IncomingMessage): string | undefined {
  for (const name of ['x-amzn-trace-id', 'x-request-id']) {
    const value = req.headers[name];
    if (typeof value === 'string' && acceptableId.test(value)) return value;
  }
  return undefined;
}

/** The request's id: the ALB's trace id or the caller's X-Request-Id when acceptable, else a new one. */
const requestIdOf = (req: IncomingMessage): string => incomingId(req) ?? randomUUID();

/**
 * Gives the response its request id (the ALB's trace id when present) as X-Request-Id and, while the server
 * drains, tells the load balancer not to reuse the connection. Returns the id.
 */
export function stamp(req: IncomingMessage, res: ServerResponse, draining: boolean): string {
  const id = requestIdOf(req);
  res.setHeader('X-Request-Id', id);
  if (draining) res.setHeader('Connection', 'close');
  return id;
}

/** stamp() for every request that reaches Express. One middleware, not two: every Express layer costs on every request. */
export function stampResponse(draining: () => boolean): RequestHandler {
  // Named, so that CPU profiles tell it from the access log (bench/lib/middleware.ts).
  return function stampRequestId(req, res, next) {
    req.id = stamp(req, res, draining());
    next();
  };
}

const requestSerializer = (req: Request) => ({
  id: req.id,
  method: req.method,
  url: redactUrl(req.originalUrl ?? req.url),
  userAgent: req.headers['user-agent'],
});

const responseSerializer = (res: ServerResponse) => ({ statusCode: res.statusCode });

/**
 * One access-log line per request, carrying the request id; handlers log through req.log so their lines
 * carry it too. Headers, cookies, tokens and client addresses are never logged.
 */
export function accessLog(logger: Logger): RequestHandler {
  const middleware = pinoHttp<Request, ServerResponse>({
    logger: logger.child({}, { redact: requestLineRedaction }),
    genReqId: (req) => req.id,
    wrapSerializers: false,
    serializers: { req: requestSerializer, res: responseSerializer },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${res.statusCode} failed`,
    customSuccessObject: (req, res, line) => withOutcome(req, res, line),
    customErrorObject: (req, res, _error, line) => withOutcome(req, res, line),
  });
  return middleware as unknown as RequestHandler;
}

function withOutcome(req: Request, res: ServerResponse, line: object): object {
  const locals = (res as unknown as { locals?: { errorCode?: string } }).locals;
  return { ...line, userId: req.user?.id, errorCode: locals?.errorCode };
}
