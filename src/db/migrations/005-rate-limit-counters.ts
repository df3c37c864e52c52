import { type Kysely } from 'kysely';

// Rate-limit counters shared by every instance on one PostgreSQL (src/http/rate-limit-stores.ts): one row per
// limit and key, counting hits until reset_at. Expired rows are reused by the next hit and swept now and then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counter')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('hits', 'integer', (col) => col.notNull())
    .addColumn('reset_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_counter_reset_at').on('rate_limit_counter').column('reset_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_counter').execute();
}
