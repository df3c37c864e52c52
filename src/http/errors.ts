import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An error the API answers on purpose: a stable code, an HTTP status and a message safe to show. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { fields?: FieldProblem[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.fields = options.fields;
    this.headers = options.headers ?? {};
  }
}

const bearerChallenge = (problem?: string) =>
  problem ? `Bearer error="invalid_token", error_description="${problem}"` : 'Bearer';

/** The catalogue: every error the API can answer, in one place. */
export const errors = {
  validation: (fields: FieldProblem[]) =>
    new ApiError(400, 'VALIDATION_FAILED', `invalid ${fields.map((problem) => problem.field).join(', ')}`, { fields }),
  malformedJson: (message = 'the request body is not valid JSON') => new ApiError(400, 'MALFORMED_JSON', message),
  badRequest: (message: string) => new ApiError(400, 'BAD_REQUEST', message),
  unsupportedMediaType: (message: string) => new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', message),
  payloadTooLarge: () => new ApiError(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'),
  contentTooLarge: (field: string, maxChars: number) =>
    new ApiError(413, 'CONTENT_TOO_LARGE', `${field} is too large`, {
      fields: [{ field, message: `must be at most ${maxChars} characters of HTML, also once cleaned` }],
    }),
  /** The original refused a post that was nothing but a script or iframe tag: sanitizing alone would store it empty. */
  contentNotAllowed: (field: string) =>
    new ApiError(400, 'CONTENT_NOT_ALLOWED', `${field} has nothing that may be stored`, {
      fields: [{ field, message: 'contains only HTML that is not allowed (scripts, iframes, …)' }],
    }),
  contentTooComplex: (field: string, problem: string) =>
    new ApiError(400, 'CONTENT_TOO_COMPLEX', `${field} ${problem}`, { fields: [{ field, message: problem }] }),
  /** No sanitizer thread was free in time: the cause (a deadline or a full queue) goes to the error log line. */
  busy: (cause: unknown) =>
    new ApiError(503, 'BUSY', 'the server is busy: retry in a few seconds', { headers: { 'Retry-After': '5' }, cause }),
  headersTooLarge: () => new ApiError(431, 'HEADERS_TOO_LARGE', 'the request headers are too large (cookies, most often)'),
  requestTimeout: () => new ApiError(408, 'REQUEST_TIMEOUT', 'the request was not received in time'),
  unparseableRequest: () => new ApiError(400, 'BAD_REQUEST', 'the request is not valid HTTP'),
  /** 303 with no body and no Location: the original front end's signal to refresh the token and retry. */
  tokenExpired: () =>
    new ApiError(303, 'TOKEN_EXPIRED', 'the access token has expired: refresh it and retry', {
      headers: { 'WWW-Authenticate': bearerChallenge('the access token has expired') },
    }),
  unauthenticated: (tokenProblem?: 'invalid') =>
    new ApiError(401, 'UNAUTHENTICATED', tokenProblem ? 'the access token is not valid' : 'an access token is required', {
      headers: { 'WWW-Authenticate': bearerChallenge(tokenProblem && 'the access token is not valid') },
    }),
  forbidden: (message = 'not allowed') => new ApiError(403, 'FORBIDDEN', message),
  crossSiteRequest: () =>
    new ApiError(403, 'CROSS_SITE_REQUEST', "this request must come from the forum's own pages: its Origin is missing or not in CORS_ORIGINS"),
  /** 401 as the original (its front end shows the "wrong id or password" text only on 404; see docs/compatibility.md). */
  wrongCredentials: () => new ApiError(401, 'WRONG_CREDENTIALS', 'wrong id or password'),
  /** 400, not 409: the original front end alerts on 400. */
  alreadyTaken: (field: 'id' | 'nick' | 'email') =>
    new ApiError(400, 'ALREADY_TAKEN', `${field} is already taken`, { fields: [{ field, message: `${field} is already taken` }] }),
  guestAccountReadOnly: () => new ApiError(400, 'GUEST_ACCOUNT_READ_ONLY', 'the shared guest account cannot be changed'),
  guestLoginDisabled: () => new ApiError(404, 'GUEST_LOGIN_DISABLED', 'guest login is disabled'),
  accountNotFound: () => new ApiError(404, 'ACCOUNT_NOT_FOUND', 'the account of this token no longer exists'),
  /** The route clears the refresh cookie before throwing this. Never 303 (forum-api.md §5.16). */
  refreshTokenInvalid: () => new ApiError(401, 'REFRESH_TOKEN_INVALID', 'the refresh token is missing, expired or revoked: log in again'),
  verificationKeyInvalid: () => new ApiError(400, 'VERIFICATION_KEY_INVALID', 'the verification link is wrong, used or expired'),
  /** A total per address, not a window: no Retry-After. */
  verificationMailsExhausted: (cap: number) =>
    new ApiError(429, 'VERIFICATION_MAILS_EXHAUSTED', `this address has been sent ${cap} verification mails, the most it is ever sent: ask an administrator`),
  emailAlreadyVerified: () => new ApiError(409, 'EMAIL_ALREADY_VERIFIED', 'the e-mail address is already verified'),
  noEmailAddress: () => new ApiError(409, 'NO_EMAIL_ADDRESS', 'the account has no e-mail address to verify'),
  /** The SMTP failure rides along as the cause, so the error log line says what the mail server answered. */
  mailSendFailed: (cause: unknown) => new ApiError(502, 'MAIL_SEND_FAILED', 'the verification mail could not be sent: retry in a minute', { cause }),
  oauthProviderUnavailable: () => new ApiError(404, 'OAUTH_PROVIDER_UNAVAILABLE', 'no such OAuth provider is enabled'),
  routeNotFound: () => new ApiError(404, 'NOT_FOUND', 'no such route'),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, 'TOO_MANY_REQUESTS', 'too many requests: slow down', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  databaseUnavailable: () =>
    new ApiError(503, 'DATABASE_UNAVAILABLE', 'the database is unavailable: retry shortly', { headers: { 'Retry-After': '5' } }),
  internal: () => new ApiError(500, 'INTERNAL', 'unexpected error'),

  // Subjects and boards. Refusals keep the original's statuses where its front end branches on them
  // (forum-api.md §4.2, §5.25), even when 403 would be the textbook answer.
  unknownAccount: () => new ApiError(401, 'UNKNOWN_ACCOUNT', 'the access token names an account that does not exist'),
  adminOnly: () => new ApiError(400, 'ADMIN_ONLY', 'only an administrator may do this'),
  /** Well-formed, but no account has that id: not VALIDATION_FAILED, which means "invalid per the OpenAPI document". */
  subjectAdminNotFound: () =>
    new ApiError(400, 'SUBJECT_ADMIN_NOT_FOUND', 'admin names no account', { fields: [{ field: 'admin', message: 'no such user' }] }),
  subjectNotFound: () => new ApiError(404, 'SUBJECT_NOT_FOUND', 'no such subject'),
  subjectExists: () => new ApiError(409, 'SUBJECT_EXISTS', 'a subject with this id already exists'),
  subjectHasPosts: () => new ApiError(409, 'SUBJECT_HAS_POSTS', 'the subject still has posts (deleted ones included)'),
  notSubjectAdmin: () => new ApiError(400, 'NOT_SUBJECT_ADMIN', "only an administrator or the subject's admin may change it"),
  cannotPost: () => new ApiError(401, 'CANNOT_POST', 'only verified accounts may post'),
  boardNotFound: () => new ApiError(404, 'BOARD_NOT_FOUND', 'no such post'),
  notBoardAuthor: () => new ApiError(401, 'NOT_BOARD_AUTHOR', 'only the author may edit the post'),
  notBoardAuthorOrAdmin: () => new ApiError(400, 'NOT_BOARD_AUTHOR_OR_ADMIN', 'only the author or an administrator may delete the post'),
  secretPostOwnerOnly: () => new ApiError(401, 'SECRET_POST_OWNER_ONLY', 'only the author may read this post'),
  secretPostNeedsCode: () => new ApiError(428, 'SECRET_POST_NEEDS_CODE', 'this post opens with its 6-character code (read-secret)'),
  wrongSecretCode: () => new ApiError(400, 'WRONG_SECRET_CODE', 'the code does not open this post'),
  alreadyRecommended: () => new ApiError(400, 'ALREADY_RECOMMENDED', 'this account has already recommended the post'),
  // 401: the front end answers it with "please log in", the right advice for the shared guest account.
  guestCannotRecommend: () => new ApiError(401, 'GUEST_CANNOT_RECOMMEND', 'the shared guest account cannot recommend: log in with your own account'),
} as const;

// body-parser and http-errors describe their failures with a `type` and a `status`.
function fromFrameworkError(error: { type?: unknown; status?: unknown; message?: unknown }): ApiError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return errors.malformedJson();
    case 'entity.too.large':
      return errors.payloadTooLarge();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType(String(error.message));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return errors.badRequest('the request body could not be read');
  }
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return new ApiError(error.status, 'BAD_REQUEST', 'the request could not be understood');
  }
  return undefined;
}

export function fieldsOf(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message }));
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return errors.validation(fieldsOf(error));
  if (isDatabaseUnavailable(error)) return errors.databaseUnavailable();
  if (typeof error === 'object' && error !== null) return fromFrameworkError(error) ?? errors.internal();
  return errors.internal();
}

export const notFound: RequestHandler = () => {
  throw errors.routeNotFound();
};

/**
 * Renders every error as `{error: {code, message, requestId}}` with the CORS headers already on the response
 * (reapplied here when an error happened before the CORS middleware ran), so the browser always sees our status.
 */
export function errorHandler(options: {
  exposeStack: boolean;
  applyCors: RequestHandler;
  onDatabaseUnavailable: (error: unknown) => void;
}): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const apiError = toApiError(error);
    if (apiError.status >= 500) res.err = error instanceof Error ? error : new Error(String(error));
    if (apiError.code === 'DATABASE_UNAVAILABLE') options.onDatabaseUnavailable(error);
    res.locals.errorCode = apiError.code;
    if (!res.hasHeader('Access-Control-Allow-Origin') && req.method !== 'OPTIONS') options.applyCors(req, res, () => undefined);
    res.status(apiError.status).set(apiError.headers).set('Cache-Control', 'no-store');
    if (apiError.status === 303) {
      res.end();
      return;
    }
    const stack = options.exposeStack && apiError.status >= 500 && error instanceof Error ? error.stack : undefined;
    res.json({
      error: { code: apiError.code, message: apiError.message, requestId: req.id, fields: apiError.fields, stack },
    });
  };
}
