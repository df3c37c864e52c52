import mysql from 'mysql2';
import { columnsOf, sourceKeys, sourceTables, type SourceTable } from './source-rows.ts';

/** The source cannot be read: a message for the operator, with no credentials in it. */
export class SourceError extends Error {}

export interface SourceLocation {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** TLS with Node's trusted CAs (`?ssl=true` in the URL). */
  tls: boolean;
}

/** mysql://user:pass@host:3306/db — credentials percent-decoded, as in every other database URL. */
export function parseSourceUrl(url: string): SourceLocation | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!['mysql:', 'mariadb:'].includes(parsed.protocol) || !parsed.hostname || !database || database.includes('/')) return undefined;
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    tls: ['true', '1', 'required'].includes(parsed.searchParams.get('ssl') ?? ''),
  };
}

/** The source as safe to print: mysql://user@host:port/db. */
export const describeSource = (source: SourceLocation): string => `mysql://${source.user}@${source.host}:${source.port}/${source.database}`;

export interface DateColumn {
  column: 'reg_date' | 'update_date';
  /** MySQL's type: DATETIME holds wall-clock text, TIMESTAMP an instant (read here in UTC). */
  type: string;
}

export interface Source {
  dateColumns: DateColumn[];
  count(table: SourceTable): Promise<number>;
  /** The table's rows in key order, as the driver gives them. */
  rows(table: SourceTable): AsyncIterable<Record<string, unknown>>;
  close(): Promise<void>;
}

function connectionMessage(error: unknown, source: SourceLocation): string {
  const { code, message } = error as { code?: string; message?: string };
  const where = `${source.host}:${source.port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to MySQL at ${where}: connection refused (is the server running, is the port right?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot connect to MySQL: host '${source.host}' does not resolve`;
    case 'ETIMEDOUT':
      return `cannot connect to MySQL at ${where}: no answer within 10 s`;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return `MySQL at ${where} refused user '${source.user}': wrong user name or password (${message ?? code})`;
    case 'ER_BAD_DB_ERROR':
      return `MySQL at ${where} has no database '${source.database}'`;
    case 'ER_DBACCESS_DENIED_ERROR':
      return `MySQL user '${source.user}' may not read database '${source.database}'`;
    default:
      return `cannot read MySQL at ${where}: ${message ?? String(error)}`;
  }
}

const quoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;

interface SourceTableInfo {
  /** As the server spells it: table names are case-sensitive on Linux servers. */
  name: string;
  /** Column (lower case) → MySQL data type. */
  columns: Map<string, string>;
}

/** Every table and column the import reads must be there; all that are missing are named at once. */
async function checkTables(connection: ReturnType<mysql.Connection['promise']>, database: string): Promise<Map<string, SourceTableInfo>> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'select TABLE_NAME as t, COLUMN_NAME as c, DATA_TYPE as type from information_schema.COLUMNS where TABLE_SCHEMA = database()',
  );
  const tables = new Map<string, SourceTableInfo>();
  for (const row of rows) {
    const name = String(row.t);
    const table = tables.get(name.toLowerCase()) ?? tables.set(name.toLowerCase(), { name, columns: new Map() }).get(name.toLowerCase())!;
    table.columns.set(String(row.c).toLowerCase(), String(row.type).toLowerCase());
  }
  const missing: string[] = [];
  for (const table of sourceTables) {
    const columns = tables.get(table)?.columns;
    const absent = columnsOf(table).filter((column) => !columns?.has(column));
    if (!columns) missing.push(`table \`${table}\` is missing from MySQL database '${database}' (the import needs user, subject, board and recommend)`);
    else if (absent.length > 0) missing.push(`table \`${table}\` has no column ${absent.join(', ')}`);
  }
  if (missing.length > 0) throw new SourceError(missing.join('\n'));
  return tables;
}

/**
 * Connects and checks the original's tables. Everything is then read inside one read-only transaction with a
 * consistent snapshot: the old forum may still be running, and its four tables must be read as of one moment.
 */
export async function openSource(source: SourceLocation): Promise<Source> {
  const core = mysql.createConnection({
    host: source.host,
    port: source.port,
    user: source.user,
    password: source.password,
    database: source.database,
    charset: 'utf8mb4',
    connectTimeout: 10_000,
    // Dates arrive as the text MySQL holds; their zone is decided by the caller (--source-time-zone).
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    ...(source.tls ? { ssl: {} } : {}),
  });
  core.on('error', () => undefined);
  const connection = core.promise();
  try {
    await connection.connect();
  } catch (error) {
    core.destroy();
    throw new SourceError(connectionMessage(error, source));
  }
  try {
    // TIMESTAMP columns are converted to the session zone on read: UTC makes their text an unambiguous instant.
    await connection.query("set session time_zone = '+00:00'");
    await connection.query('set session transaction isolation level repeatable read');
    await connection.query('start transaction with consistent snapshot, read only');
    const tables = await checkTables(connection, source.database);
    const board = tables.get('board')!.columns;
    const nameOf = (table: SourceTable) => quoted(tables.get(table)!.name);
    return {
      dateColumns: (['reg_date', 'update_date'] as const).map((column) => ({ column, type: board.get(column)! })),
      async count(table) {
        const [rows] = await connection.query<mysql.RowDataPacket[]>(`select count(*) as n from ${nameOf(table)}`);
        return Number(rows[0]?.n ?? 0);
      },
      rows(table) {
        const columns = columnsOf(table).map(quoted).join(', ');
        return core.query(`select ${columns} from ${nameOf(table)} order by ${quoted(sourceKeys[table])}`).stream() as AsyncIterable<Record<string, unknown>>;
      },
      close: () => connection.end().catch(() => core.destroy()),
    };
  } catch (error) {
    core.destroy();
    if (error instanceof SourceError) throw error;
    throw new SourceError(connectionMessage(error, source));
  }
}
