// Errors meaning "the database cannot be reached right now", as opposed to a bug in a query.
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// SQLSTATE: admin/crash shutdown, cannot connect now, too many connections, statement timeout.
const sqlStates = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
const messages = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'PGlite is closed',
  'driver has already been destroyed',
  // pg's pool after the shutdown closed it (the compiled reads use it without Kysely, src/db/compiled.ts).
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (networkCodes.has(code) || sqlStates.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  if (messages.some((text) => error.message.includes(text))) return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
}
