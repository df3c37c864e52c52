import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { seedSubjects } from '../../src/db/seed.ts';
import { createLogger } from '../../src/logger.ts';
import { attackers } from './adversarial.ts';
import { createPostgresSchema } from '../../test/helpers/app.ts';
import { productionEnv as requiredInProduction } from '../../test/helpers/server-process.ts';
import { imageMallocTunables } from './processes.ts';

export const benchSecret = randomBytes(48).toString('base64url');

/**
 * How every benchmarked server of ours runs: production mode (what the tests' production start needs), the Docker
 * image's malloc settings, access log on, no drain (mail goes nowhere).
 */
export const productionEnv = {
  ...requiredInProduction,
  ...imageMallocTunables(),
  JWT_SECRET: benchSecret,
  LOG_LEVEL: 'info',
  SHUTDOWN_DRAIN_MS: '0',
  // The load generator stands in for the load balancer: the adversarial row gives each attacker its address.
  TRUST_PROXY: 'loopback',
} as const;
const postgresUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A throw-away schema in the local PostgreSQL, already migrated (as for any start but a deployment's first,
 * so no measured server spends its memory on running migrations), and the DATABASE_URL that selects it.
 */
export async function createSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = await createPostgresSchema({ adminUrl: postgresUrl, variable: 'BENCH_DATABASE_URL', prefix: 'bench' });
  const logger = createLogger('silent');
  const database = openDatabase(loadConfig({ DATABASE_URL: schema.url, LOG_LEVEL: 'silent' }).database, logger);
  await migrateToLatest(database.db, logger).finally(() => database.close());
  return schema;
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A user, the adversarial row's accounts, the seed subjects and `posts` posts in "free". */
export async function seedForum(url: string, posts: number): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`insert into "user" (id, nick, email, auth) values ('bench1', 'bencher', 'bench@example.com', 2) on conflict do nothing`);
    for (const id of attackers) await client.query(`insert into "user" (id, nick, auth) values ($1, $1, 2) on conflict do nothing`, [id]);
    // The embedded database's seed subjects, so every server in the benchmark serves the same JSON.
    for (const subject of seedSubjects) {
      await client.query(
        `insert into subject (id, title, description, admin, btotal) values ($1, $2, $3, $4, $5)
         on conflict (id) do update set btotal = excluded.btotal`,
        [subject.id, subject.title, subject.description, subject.admin, subject.id === 'free' ? posts : 0],
      );
    }
    await client.query(
      `insert into board (sid, s_bno, user_id, writer, title, content, view, recommend, pw)
       select 'free', n, 'bench1', 'bencher', 'post number ' || n, '<p>' || repeat('content ', 40) || '</p>', n % 97, n % 13,
              case when n % 10 = 0 then 'nonpw' when n % 10 = 5 then 'abc123' else null end
       from generate_series(0, $1 - 1) as n
       on conflict do nothing`,
      [posts],
    );
  });
}
