import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

export type { Logger };
export type LogFormat = 'auto' | 'json' | 'pretty';

const secretKeys = ['password', 'pw', 'token', 'accessToken', 'refreshToken', 'secret'];
const censor = '[Redacted]';

// Secrets never reach a log line, whichever object they hide in.
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'res.headers.authorization',
  ...secretKeys.map((key) => `*.${key}`),
];

// Objects a request's lines may carry besides req and res (which its serializers build from named fields).
const requestLineObjects = ['err', 'error', 'body', 'query', 'params', 'headers', 'user', 'account', 'input', 'config'];

/**
 * Redaction for the access log and the handler lines that share its logger (req.log). The wildcard paths
 * above run pino's redactor over every key of every line, which cost a tenth of a cached request's CPU;
 * these name each place instead, so a line only pays for the keys it actually carries.
 */
export const requestLineRedaction = {
  paths: [...secretKeys, ...requestLineObjects.flatMap((object) => secretKeys.map((key) => `${object}.${key}`))],
  censor,
};

/**
 * `auto` (LOG_FORMAT's default): readable lines for a person at a terminal, outside production; JSON lines,
 * what log shippers and `jq` read, everywhere else (a pipe, a file, journald, Docker).
 */
export function logFormatFor(format: LogFormat, production: boolean, terminal = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return terminal && !production ? 'pretty' : 'json';
}

/** The same lines as text: time, level, message, then the other fields (pino-pretty; colour unless NO_COLOR). */
function prettyDestination(destination: DestinationStream | number): DestinationStream {
  // Required, not imported: production, which logs JSON, never loads it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => DestinationStream;
  return pretty({ destination, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,pid,hostname', singleLine: true });
}

/** The process's logger: JSON lines on `destination` (stdout by default), or readable lines when `format` is pretty. */
export function createLogger(level: string, destination?: DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  return pino(
    {
      level,
      base: { service: 'forum-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor },
    },
    format === 'pretty' ? prettyDestination(destination ?? 1) : (destination ?? logDestination()),
  );
}

// 16 MB is tens of thousands of lines: seconds of peak traffic, far below what would strain the process.
const logBufferMaxBytes = 16 * 1024 * 1024;

/** How long a line waits for others to share its write, at most; and how many bytes end the wait sooner. */
export const logBatch = { waitMs: 10, bytes: 16 * 1024 } as const;

/**
 * Lines gathered for up to `logBatch.waitMs` (or `logBatch.bytes`) and handed to `sink` in one write. Every
 * asynchronous write is a task for libuv's thread pool: a thread woken, a system call, a completion back on the
 * event loop. One per access-log line cost 12 % of a request's CPU at 3 000 req/s (issue 18, bench/README.md);
 * one per 10 ms is at most 100 a second whatever the traffic. The timer is not unref'd, so a process that ends on its own
 * still writes its last lines; the exits of the server and the CLIs write them synchronously (flushLogger).
 */
export class BatchedDestination {
  readonly sink: SonicBoom;
  #pending = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(sink: SonicBoom) {
    this.sink = sink;
  }

  write(line: string): boolean {
    this.#pending += line;
    if (this.#pending.length >= logBatch.bytes) this.#handOver();
    else this.#timer ??= setTimeout(() => this.#handOver(), logBatch.waitMs);
    return true;
  }

  /** Hands what waits to the sink, then writes everything synchronously (right before the process exits). */
  flushSync(): void {
    this.#handOver();
    this.sink.flushSync();
  }

  /** pino's logger.flush(): what waits goes to the sink now. */
  flush(callback?: (error?: Error) => void): void {
    this.#handOver();
    this.sink.flush(callback);
  }

  #handOver(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = '';
    // A destroyed sink (the process is exiting) would throw from this timer: the lines have nowhere to go.
    if (batch !== '' && !(this.sink as { destroyed?: boolean }).destroyed) this.sink.write(batch);
  }
}

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * Standard output, written asynchronously in batches (BatchedDestination; lines that arrive while a write is in
 * flight go out together in the next one). The buffer is bounded: when the log sink cannot keep up (a stalled
 * pipe to the log driver), lines are dropped and the drop is reported on stderr, instead of the heap growing
 * until the process dies.
 */
export function logDestination(fd = 1): BatchedDestination {
  const sink = pino.destination({ dest: fd, sync: false, maxLength: logBufferMaxBytes });
  let dropped = 0;
  sink.on('drop', (batch: string) => {
    const lines = batch.split('\n').length - 1;
    if (dropped > 0) {
      dropped += lines;
      return;
    }
    dropped = lines;
    setTimeout(() => {
      process.stderr.write(`forum-api: the log destination could not keep up: ${dropped} log lines were dropped\n`);
      dropped = 0;
    }, 10_000).unref();
  });
  return new BatchedDestination(sink);
}

/** Writes whatever the asynchronous destination still buffers; called right before the process exits. */
export function flushLogger(logger: Logger): void {
  try {
    // Synchronously only: an asynchronous flush first would hand the batch to a write that exit may cut short.
    const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void };
    stream.flushSync?.();
  } catch {
    // The stream may already be closed at exit; there is nowhere left to report that.
  }
}
