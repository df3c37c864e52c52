import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import request from 'supertest';
import { frontOrigin, postgresAdmin, startTestApp, type DatabaseKind, type TestApp } from '../helpers/app.ts';

function assertUnavailable(res: request.Response) {
  assert.equal(res.status, 503);
  assert.equal(res.body.error.code, 'DATABASE_UNAVAILABLE');
  assert.equal(res.headers['access-control-allow-origin'], frontOrigin);
  assert.equal(res.headers['access-control-allow-credentials'], 'true');
  assert.ok(res.headers['retry-after']);
  assert.ok(res.body.error.requestId);
}

async function assertHealthStaysUp(t: TestApp) {
  const health = await request(t.app).get('/ajax/health/').set('User-Agent', 'ELB-HealthChecker/2.0');
  assert.equal(health.status, 200);
  const body = JSON.parse(health.text);
  assert.equal(body.status, 'pass');
  assert.equal(body.checks['database:responseTime'][0].status, 'warn');
  const ready = await request(t.app).get('/ajax/health/ready');
  assert.equal(ready.status, 503);
}

/** The suite's app, started on `kind` and with its database closed right after (the pool or PGlite is gone). */
function appWithClosedDatabase(kind: DatabaseKind): () => TestApp {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(kind);
    await t.database.close();
  });
  after(() => t.close());
  return () => t;
}

describe('Database outage on PGlite', () => {
  const app = appWithClosedDatabase('pglite');

  it('When the embedded database is closed, then a database route answers 503 JSON with CORS headers', async () => {
    assertUnavailable(await request(app().app).get('/ajax/subject/all').set('Origin', frontOrigin));
  });

  it('When the embedded database is closed, then health stays 200 (reporting warn) and readiness is 503', async () => {
    await app().probe.check();
    await assertHealthStaysUp(app());
  });
});

describe('Database outage on PostgreSQL: connection refused', () => {
  let t: TestApp;
  before(async () => {
    // Port 1 on loopback: nothing listens, every connection is refused at once.
    t = await startTestApp('postgres', { env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', MIGRATE_ON_START: 'false' } });
  });
  after(() => t.close());

  it('When PostgreSQL refuses connections, then the server still starts, health is 200 and readiness 503', async () => {
    await assertHealthStaysUp(t);
  });

  it('When PostgreSQL refuses connections, then /ajax/subject/all answers 503 with CORS headers', async () => {
    assertUnavailable(await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin));
  });
});

describe('Database outage on PostgreSQL: a server that accepts and never answers', () => {
  let t: TestApp;
  let blackhole: Server;
  before(async () => {
    blackhole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as { port: number };
    t = await startTestApp('postgres', {
      env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`, MIGRATE_ON_START: 'false', DB_CONNECT_TIMEOUT_MS: '500' },
    });
  });
  after(async () => {
    await t.close();
    blackhole.close();
  });

  it('When the database hangs, then a database route answers 503 within the connect timeout instead of hanging', async () => {
    const started = Date.now();
    assertUnavailable(await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});

describe('Database outage on PostgreSQL: the server ends connections (failover, restart, an administrator)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('postgres');
  });
  after(() => t.close());

  it('When PostgreSQL terminates a connection the app has checked out, then the process keeps running and serving', async () => {
    // A checked-out pg client has no error listener of the pool's; the end of its connection is emitted on the
    // client as 'error' and, unhandled, was an uncaught exception that stopped the server (seen in the ops
    // outage scenario: a fast shutdown of PostgreSQL under load stopped one of the two instances).
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      await t.database.db.connection().execute(async (connection) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        await postgresAdmin((admin) => admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]));
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    assert.deepEqual(uncaught.map(String), []);
    const res = await request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin);
    assert.equal(res.status, 200);
  });
});

describe('Database outage on PostgreSQL: the pool is closed (a request that arrives during shutdown)', () => {
  const app = appWithClosedDatabase('postgres');

  it('When the pool has been ended, then a compiled one-row read (subject/get, run on the pool directly) answers 503', async () => {
    assertUnavailable(await request(app().app).get('/ajax/subject/get?sid=free').set('Origin', frontOrigin));
  });

  it('When the pool has been ended, then a query through Kysely (subject/all) answers 503 too', async () => {
    assertUnavailable(await request(app().app).get('/ajax/subject/all').set('Origin', frontOrigin));
  });
});
