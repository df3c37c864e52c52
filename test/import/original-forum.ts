import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The machine's MariaDB (root, empty password). Tests that need it fail loudly when it is absent: they never skip. */
export const mariadbUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

async function connect(database?: string): Promise<mysql.Connection> {
  const url = new URL(mariadbUrl);
  if (database) url.pathname = `/${database}`;
  try {
    return await mysql.createConnection({ uri: url.toString(), charset: 'utf8mb4', connectTimeout: 3000, multipleStatements: true });
  } catch (error) {
    throw new Error(
      `MariaDB is required by this test and is not reachable at ${mariadbUrl} (${(error as Error).message}). ` +
        'Start it (see .ci/run) or set TEST_MYSQL_URL. This test does not skip.',
    );
  }
}

/**
 * The original's schema as its mappers imply it (forum-api.md §3.1; the repo has no DDL): no foreign keys,
 * no unique key on recommend(bno, user_id), e-mail addresses not unique, nicks unique but case-sensitively.
 */
const originalSchema = `
  CREATE TABLE \`user\` (
    id VARCHAR(20) NOT NULL PRIMARY KEY,
    pw VARCHAR(100) NOT NULL,
    nick VARCHAR(20) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    email VARCHAR(50) NOT NULL,
    auth INT NOT NULL DEFAULT 1
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
  CREATE TABLE subject (
    id VARCHAR(50) NOT NULL PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    description TEXT,
    admin VARCHAR(20),
    btotal INT NOT NULL DEFAULT 0
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  CREATE TABLE board (
    bno INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sid VARCHAR(50) NOT NULL,
    s_bno INT NOT NULL,
    user_id VARCHAR(20) NOT NULL,
    writer VARCHAR(20),
    title VARCHAR(75) NOT NULL,
    content TEXT,
    view INT NOT NULL DEFAULT 0,
    recommend INT NOT NULL DEFAULT 0,
    reg_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    update_date DATETIME NULL,
    pw VARCHAR(6) NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    UNIQUE KEY board_sid_s_bno (sid, s_bno)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  CREATE TABLE recommend (
    rno INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bno INT NOT NULL,
    user_id VARCHAR(20) NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;`;

export interface OriginalForum {
  /** The --from URL of this throw-away database. */
  url: string;
  database: string;
  query(sql: string, values?: unknown[]): Promise<unknown>;
  drop(): Promise<void>;
}

/** A uniquely named throw-away database on the local MariaDB with the original's (empty) tables. */
export async function createOriginalForum(): Promise<OriginalForum> {
  const database = `forum_import_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }
  const connection = await connect(database);
  await connection.query(originalSchema);
  const url = new URL(mariadbUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    database,
    query: async (sql, values) => (await connection.query(sql, values))[0],
    async drop() {
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    },
  };
}
