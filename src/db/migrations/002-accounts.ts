import { sql, type Kysely } from 'kysely';

// Server-side sessions, e-mail verification keys, OAuth identities, and the shared guest account.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_token')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('family_id', 'uuid', (col) => col.notNull())
    .addColumn('user_id', 'varchar(20)', (col) => col.notNull().references('user.id').onUpdate('cascade').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('replaced_by', 'varchar(64)')
    .addColumn('rotated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('refresh_token_family_id_idx').on('refresh_token').column('family_id').execute();
  await db.schema.createIndex('refresh_token_user_id_idx').on('refresh_token').column('user_id').execute();

  await db.schema
    .createTable('email_verification')
    .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('user_id', 'varchar(20)', (col) => col.notNull().references('user.id').onUpdate('cascade').onDelete('cascade'))
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('email_verification_user_id_idx').on('email_verification').column('user_id').execute();

  await db.schema
    .createTable('oauth_identity')
    .addColumn('provider', 'varchar(16)', (col) => col.notNull().check(sql`provider in ('google', 'naver', 'kakao')`))
    .addColumn('provider_user_id', 'varchar(255)', (col) => col.notNull())
    .addColumn('user_id', 'varchar(20)', (col) => col.notNull().references('user.id').onUpdate('cascade').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('oauth_identity_pkey', ['provider', 'provider_user_id'])
    .addUniqueConstraint('oauth_identity_user_id_provider_key', ['user_id', 'provider'])
    .execute();

  // The original handed the guest ROLE_ADMIN (forum-api.md §5.2). Here the guest is an ordinary verified
  // user without a password, and the database itself refuses to make it anything else.
  await db.schema
    .alterTable('user')
    .addCheckConstraint('user_guest_is_ordinary', sql`id <> 'guest' or (auth <= 2 and pw is null)`)
    .execute();
  await sql`insert into "user" (id, pw, nick, email, auth) values ('guest', null, 'guest', 'guest@guest.guest', 2) on conflict do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from "user" where id = 'guest'`.execute(db);
  await db.schema.alterTable('user').dropConstraint('user_guest_is_ordinary').execute();
  for (const table of ['oauth_identity', 'email_verification', 'refresh_token']) {
    await db.schema.dropTable(table).execute();
  }
}
