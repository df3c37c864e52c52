import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Secrets never reach a log line, whichever object they hide in.
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'res.headers.authorization',
  '*.password',
  '*.pw',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'forum-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[Redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Writes whatever the asynchronous destination still buffers; called right before the process exits. */
export function flushLogger(logger: Logger): void {
  try {
    logger.flush();
    const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void };
    stream.flushSync?.();
  } catch {
    // The stream may already be closed at exit; there is nowhere left to report that.
  }
}
