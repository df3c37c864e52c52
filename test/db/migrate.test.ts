import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { startTestApp } from '../helpers/app.ts';

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
