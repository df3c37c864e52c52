import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { ImportOptions } from './run.ts';
import { parseSourceUrl } from './source.ts';
import { icuTimeZone } from './zoned-time.ts';

export class UsageError extends Error {}

export interface CliOptions extends ImportOptions {
  json: boolean;
}

export const usage = `Usage: npm run import -- --from mysql://user:pass@host:3306/db [options]
   or: node dist/import/cli.js --from mysql://user:pass@host:3306/db [options]

Copies the original forum's MySQL tables (user, subject, board, recommend) into this server's database:
the one its environment names (DATABASE_URL, or the embedded database in DATA_DIR), migrated first.
Everything is checked before anything is written, and written in one transaction: all or nothing.
Rows already in the target are left as they are, so running it again imports only what is new.

Options:
  --from <url>                 the original database: mysql://user:pass@host[:port]/database
                               (percent-encode special characters; ?ssl=true for TLS)
  --password-file <file>       read the MySQL password from this file instead of the URL
                               (a URL's password is visible to other users in the process list)
  --source-time-zone <zone>    IANA zone the original wrote its DATETIME dates in (default Asia/Seoul)
  --dry-run                    check and report everything, write nothing
  --batch-size <rows>          rows per INSERT statement (default 500)
  --hash-concurrency <n>       passwords hashed at once (default: CPU cores, ${availableParallelism()} here)
  --json                       print the summary as JSON (schema forum-api-import/1)
  -h, --help                   show this help

Stop the server first: the embedded database admits one process, and posts written meanwhile could collide.
Exit status: 0 imported, nothing new, or dry run passed; 1 refused or failed (nothing written); 2 usage error.`;

function wholeNumber(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max} (got ${value})`);
  return number;
}

function readPassword(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(`--password-file ${file}: ${(error as Error).message}`);
  }
}

/** The options, or undefined for --help. */
export function parseOptions(argv: string[]): CliOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        'password-file': { type: 'string' },
        'source-time-zone': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        'hash-concurrency': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.help) return undefined;
  if (!parsed.from) throw new UsageError('--from is required');
  const source = parseSourceUrl(parsed.from);
  if (!source) throw new UsageError('--from must be mysql://user:pass@host[:port]/database');
  if (parsed['password-file'] !== undefined) source.password = readPassword(parsed['password-file']);
  const zone = icuTimeZone.safeParse(parsed['source-time-zone'] ?? 'Asia/Seoul');
  if (!zone.success) throw new UsageError(`--source-time-zone must be an IANA time zone such as Asia/Seoul or UTC (got ${parsed['source-time-zone']})`);
  return {
    source,
    sourceTimeZone: zone.data,
    dryRun: parsed['dry-run'],
    batchSize: wholeNumber('--batch-size', parsed['batch-size'], 500, 5000),
    hashConcurrency: wholeNumber('--hash-concurrency', parsed['hash-concurrency'], availableParallelism(), 64),
    json: parsed.json,
  };
}
