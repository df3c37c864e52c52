import { sql } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Db } from './database.ts';

export interface ProbeResult {
  status: 'pass' | 'warn';
  responseTimeMs: number;
  checkedAt: string;
  /** Short reason of the last failure, never a connection string. */
  output?: string;
}

/**
 * Checks the database in the background so health checks never wait on it.
 * Request handlers report connection failures through markUnavailable, which flips the state at once.
 */
export class DatabaseProbe {
  #db: Db;
  #logger: Logger;
  #intervalMs: number;
  #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #listeners: Array<(result: ProbeResult) => void> = [];
  #running: Promise<ProbeResult> | undefined;
  result: ProbeResult = { status: 'warn', responseTimeMs: 0, checkedAt: new Date(0).toISOString(), output: 'not checked yet' };

  constructor(db: Db, logger: Logger, options: { intervalMs: number; timeoutMs: number }) {
    this.#db = db;
    this.#logger = logger;
    this.#intervalMs = options.intervalMs;
    this.#timeoutMs = options.timeoutMs;
  }

  get available(): boolean {
    return this.result.status === 'pass';
  }

  onChange(listener: (result: ProbeResult) => void): void {
    this.#listeners.push(listener);
    listener(this.result);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.check(), this.#intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one probe (or joins the one already running). */
  check(): Promise<ProbeResult> {
    this.#running ??= this.#probe().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  markUnavailable(error: unknown): void {
    if (this.result.status === 'warn') return;
    this.#record({ status: 'warn', responseTimeMs: 0, checkedAt: new Date().toISOString(), output: describe(error) });
  }

  async #probe(): Promise<ProbeResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    let result: ProbeResult;
    try {
      await Promise.race([sql`select 1`.execute(this.#db), timeout]);
      result = { status: 'pass', responseTimeMs: Math.round(performance.now() - started), checkedAt: new Date().toISOString() };
    } catch (error) {
      result = {
        status: 'warn',
        responseTimeMs: Math.round(performance.now() - started),
        checkedAt: new Date().toISOString(),
        output: describe(error),
      };
    } finally {
      clearTimeout(timer);
    }
    this.#record(result);
    return result;
  }

  #record(result: ProbeResult): void {
    const changed = result.status !== this.result.status;
    this.result = result;
    if (changed && result.status === 'pass') this.#logger.info({ database: result }, 'database reachable');
    if (changed && result.status === 'warn') this.#logger.error({ database: result }, 'database unreachable: readiness is 503, health stays 200');
    for (const listener of this.#listeners) listener(result);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const message = error.message || (error instanceof AggregateError ? error.errors.map(String).join('; ') : error.name);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
