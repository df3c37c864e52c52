import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { createPostgresSchema, postgresAdmin, startTestApp } from '../helpers/app.ts';

describe('Migrations on a PostgreSQL database with several schemas', () => {
  it("When another schema of the database already holds Kysely's migration tables, then a fresh schema still migrates", async () => {
    const first = await startTestApp('postgres');
    try {
      const second = await startTestApp('postgres');
      try {
        assert.equal((await request(second.app).get('/ajax/subject/all')).status, 200);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});

describe('Migrations while another client drops schemas', () => {
  it('When schemas of the same database are dropped while a fresh schema migrates, then the migration still succeeds', async () => {
    // Kysely lists every table of every schema to find its own; a schema dropped in the middle of that listing
    // fails it with "schema … does not exist" (a parallel test run, another deployment's clean-up).
    const others = await Promise.all(Array.from({ length: 24 }, () => createPostgresSchema({ prefix: 'gone' })));
    await postgresAdmin(async (client) => {
      for (const other of others) {
        const schema = new URL(other.url).searchParams.get('options')!.replace('-c search_path=', '');
        await client.query(`create table ${schema}.t (${Array.from({ length: 10 }, (_, i) => `c${i} serial`).join(', ')})`);
      }
    });
    let dropping = true;
    const dropper = (async () => {
      for (const other of others) {
        if (!dropping) break;
        await other.drop();
      }
    })();
    try {
      for (let round = 0; round < 6 && dropping; round++) {
        const t = await startTestApp('postgres');
        await t.close();
      }
    } finally {
      dropping = false;
      await dropper;
      await Promise.all(others.map((other) => other.drop()));
    }
  });
});
