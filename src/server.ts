import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, requestListener } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { prepareDatabase, type DatabaseHandle, type DatabaseProbe } from './db/index.ts';
import { checkTimeZone, checkTimeZoneOnceReachable } from './db/time-zone.ts';
import { createAccessTokens } from './features/auth/access-token.ts';
import { answerClientError } from './http/client-errors.ts';
import { Lifecycle } from './lifecycle.ts';
import { createLogger, flushLogger, logFormatFor, type Logger } from './logger.ts';
import { mainThreadRelease, releaseMemoryWhenQuiet } from './memory-release.ts';
import { resolveSecrets } from './secrets.ts';
import { openSharedState, type SharedState } from './shared-state.ts';
import { StartupError } from './startup-error.ts';

// Required, not imported: on Node 24 an ESM import of node:http evaluates its lazy WebSocket export, which
// loads Node's bundled undici (about 13 MB of RSS and 30 ms of start-up) that this server never uses.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

interface Running {
  config: Config;
  logger: Logger;
  server: Server;
  database: DatabaseHandle;
  probe: DatabaseProbe;
  lifecycle: Lifecycle;
  shared: SharedState;
  stopMemoryRelease: () => void;
  /** False when the database was away at start: APP_TIME_ZONE is then checked once it is reached. */
  timeZoneChecked: boolean;
}

async function readConfigOrExit(): Promise<Config> {
  try {
    return loadConfig(await resolveSecrets(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`forum-api: ${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function start(config: Config, logger: Logger): Promise<Running> {
  if (config.jwt.generatedSecret) {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens will not survive a restart (required in production)');
  }
  if (!config.mail.smtpUrl) {
    logger.warn('SMTP_URL is not set: verification mails are written to this log instead of being sent (never allowed in production)');
  }
  const { database, probe } = await prepareDatabase(config.database, logger);
  // PostgreSQL writes the post dates in APP_TIME_ZONE, so it decides whether it can (~1 ms). A server started while
  // its database is away (MIGRATE_ON_START=false) checks it once the database is reached, after the start.
  const timeZoneChecked = probe.available;
  if (timeZoneChecked) await checkTimeZone(database.db, config.timeZone);
  const lifecycle = new Lifecycle();
  // Several instances share what would otherwise differ between them: the limits' counters and the caches' freshness.
  const shared = openSharedState(config, database, logger);
  const accessTokens = createAccessTokens(config.jwt.secret);
  const app = createApp({ config, logger, db: database.db, probe, lifecycle, accessTokens, ...shared.appDependencies });

  const listener = requestListener(app);
  const server = createServer(listener);
  // Longer than the ALB's 60 s idle timeout, so the ALB always closes an idle connection first
  // (otherwise it may reuse a socket Node has just closed, and the client gets a 502).
  server.keepAliveTimeout = config.server.keepAliveTimeoutMs;
  server.headersTimeout = config.server.headersTimeoutMs;
  server.requestTimeout = config.server.requestTimeoutMs;
  server.on('clientError', answerClientError(config.corsOrigins, logger));
  // Node answers an unknown `Expect` with a bare 417; RFC 9110 lets a server ignore it and serve the request.
  server.on('checkExpectation', listener);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  logger.info(
    {
      address: typeof address === 'object' && address ? `${address.address}:${address.port}` : address,
      database: database.kind,
      rateLimits: shared.rateLimitStores.kind,
      cacheNotices: shared.cacheNotices ? 'postgres' : 'none (one instance)',
      corsOrigins: config.corsOrigins,
      frontUrl: config.frontUrl,
      oauthProviders: config.oauth.providers.map(({ provider }) => provider),
      keepAliveTimeoutMs: server.keepAliveTimeout,
      node: process.version,
    },
    'listening',
  );
  const stopMemoryRelease = releaseMemoryWhenQuiet({
    ...mainThreadRelease,
    onRelease: ({ rssBeforeBytes, rssAfterBytes, pauseMs }) =>
      logger.info({ rssBeforeMb: megabytes(rssBeforeBytes), rssAfterMb: megabytes(rssAfterBytes), pauseMs: Math.round(pauseMs) }, 'quiet after a burst: collected garbage so memory goes back to the system'),
  });
  return { config, logger, server, database, probe, lifecycle, shared, stopMemoryRelease, timeZoneChecked };
}

const megabytes = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

/**
 * SIGTERM: answer health 503 for SHUTDOWN_DRAIN_MS so the ALB stops routing here, then stop accepting,
 * let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), close the database, flush logs and exit.
 */
async function shutdown(running: Running, reason: string, exitCode: number): Promise<never> {
  const { config, logger, server, database, probe, lifecycle, shared, stopMemoryRelease } = running;
  const { shutdownDrainMs, shutdownTimeoutMs } = config.server;
  lifecycle.startDraining();
  stopMemoryRelease();
  logger.info({ reason, drainMs: shutdownDrainMs, timeoutMs: shutdownTimeoutMs }, 'draining: health answers 503, requests are still served');
  await sleep(shutdownDrainMs);

  logger.info('closing the listener; waiting for in-flight requests');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Sockets that finish their last request become idle after close(): keep sweeping them.
  const sweeper = setInterval(() => server.closeIdleConnections(), 250);
  const forced = setTimeout(() => {
    logger.warn('shutdown timeout reached: closing the remaining connections');
    server.closeAllConnections();
  }, shutdownTimeoutMs);
  await closed;
  clearInterval(sweeper);
  clearTimeout(forced);

  await lifecycle.close().catch((error: unknown) => logger.warn({ err: error }, 'finishing before stop failed'));
  probe.stop();
  await shared.close();
  await database.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the database failed'));
  logger.info({ exitCode }, 'stopped');
  flushLogger(logger);
  process.exit(exitCode);
}

/** Stops the server as a signal would, with `exitCode`; a second call exits at once. */
type Stop = (reason: string, exitCode: number) => void;

function handleSignals(running: Running): Stop {
  let stopping = false;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) {
      running.logger.warn({ reason }, 'second signal: exiting now');
      flushLogger(running.logger);
      process.exit(1);
    }
    stopping = true;
    void shutdown(running, reason, exitCode);
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('unhandledRejection', (error) => {
    running.logger.fatal({ err: error }, 'unhandled promise rejection: shutting down');
    stop('unhandledRejection', 1);
  });
  process.on('uncaughtException', (error) => {
    running.logger.fatal({ err: error }, 'uncaught exception: shutting down');
    stop('uncaughtException', 1);
  });
  return stop;
}

/**
 * A failure the operator can fix (a taken port, a data directory in use, an unreachable database) is one line
 * on stderr, like a configuration error: its message says what to do. Anything else is also logged in full.
 */
function failStart(logger: Logger, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const portTaken = (error as { code?: string }).code === 'EADDRINUSE';
  if (!(error instanceof StartupError) && !portTaken) logger.fatal({ err: error }, 'failed to start');
  flushLogger(logger);
  process.stderr.write(`forum-api: failed to start: ${message}${portTaken ? ' (another process already listens on that port: set PORT)' : ''}\n`);
  process.exit(1);
}

const config = await readConfigOrExit();
const logger = createLogger(config.logLevel, undefined, logFormatFor(config.logFormat, config.production));
try {
  const running = await start(config, logger);
  const stop = handleSignals(running);
  if (!running.timeZoneChecked) {
    checkTimeZoneOnceReachable(running.database.db, running.probe, config.timeZone, (error) => {
      logger.fatal(error.message);
      stop('APP_TIME_ZONE', 1);
    });
  }
} catch (error) {
  failStart(logger, error);
}
