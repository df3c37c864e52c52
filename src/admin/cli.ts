// `npm run admin -- <create|promote> …`: administrators, on whichever database the environment names.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedEmbeddedDatabase } from '../db/seed.ts';
import { createLogger, flushLogger } from '../logger.ts';
import { AdminError, createAdministrator, promoteToAdministrator } from './administrators.ts';

const usage = `Usage: npm run admin -- create <id> [--nick <nick>] [--email <address>] [--password-file <file>]
       npm run admin -- promote <id>
   or: node dist/admin/cli.js …

create   a new administrator (auth 3) that signs in with the front end's login form. The password is read
         from --password-file, else from standard input (asked twice, not echoed, on a terminal).
         The sample subjects of the embedded database name "admin": npm run admin -- create admin
promote  makes an existing account an administrator (not a guest).

The database is the server's: DATABASE_URL, or the embedded one in DATA_DIR (stop the server first: it admits
one process). It is migrated first. Exit status: 0 done, 1 refused (the reason is printed), 2 usage error.`;

class UsageError extends Error {}

/** A line typed on the terminal without echo (raw mode), or everything piped in. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let piped = '';
    for await (const chunk of stdin) piped += String(chunk);
    return piped.replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  try {
    let typed = '';
    for await (const chunk of stdin) {
      for (const character of String(chunk)) {
        if (character === '\r' || character === '\n') return typed;
        if (character === '\u0003') throw new UsageError('interrupted');
        typed = character === '\u007f' ? typed.slice(0, -1) : typed + character;
      }
    }
    return typed;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

async function password(file: string | undefined): Promise<string> {
  if (file !== undefined) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  const first = await readPassword('password: ');
  if (process.stdin.isTTY && (await readPassword('again: ')) !== first) throw new AdminError('the two passwords differ');
  return first;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { nick: { type: 'string' }, email: { type: 'string' }, 'password-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (parsed.values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const [command, id, ...rest] = parsed.positionals;
    if (!['create', 'promote'].includes(command ?? '') || id === undefined || rest.length > 0) throw new UsageError('give create or promote, and one id');
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    process.stderr.write(`forum-api admin: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  const [command, id] = parsed.positionals as [string, string];
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const database = openDatabase(config.database, logger);
  try {
    await migrateToLatest(database.db, logger);
    if (database.kind === 'pglite') await seedEmbeddedDatabase(database.db);
    if (command === 'create') {
      const { nick, email, 'password-file': passwordFile } = parsed.values;
      await createAdministrator(database.db, { id, password: await password(passwordFile), ...(nick ? { nick } : {}), ...(email ? { email } : {}) });
      process.stdout.write(`created the administrator "${id}" in ${database.location} (${database.kind})\n`);
    } else {
      await promoteToAdministrator(database.db, id);
      process.stdout.write(`"${id}" is now an administrator in ${database.location} (${database.kind}); it signs in again to get the role\n`);
    }
    return 0;
  } finally {
    await database.close();
    flushLogger(logger);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof AdminError || error instanceof ConfigError || error instanceof UsageError;
  process.stderr.write(`forum-api admin: ${known ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
}
