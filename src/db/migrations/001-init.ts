import { sql, type Kysely } from 'kysely';

// The original's four tables (forum-api.md §3), with the types and keys it only implied made explicit.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user')
    .addColumn('id', 'varchar(20)', (col) => col.primaryKey())
    .addColumn('pw', 'text')
    .addColumn('nick', 'varchar(20)', (col) => col.notNull())
    .addColumn('email', 'varchar(254)')
    .addColumn('auth', 'smallint', (col) => col.notNull().defaultTo(1).check(sql`auth between 0 and 3`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // MySQL's default collation made nick and e-mail comparisons case-insensitive; keep that for uniqueness.
  await db.schema.createIndex('user_nick_key').unique().on('user').expression(sql`lower(nick)`).execute();
  await db.schema.createIndex('user_email_key').unique().on('user').expression(sql`lower(email)`).execute();

  await db.schema
    .createTable('subject')
    .addColumn('id', 'varchar(50)', (col) => col.primaryKey())
    .addColumn('title', 'varchar(100)', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('admin', 'varchar(20)', (col) => col.notNull())
    .addColumn('btotal', 'integer', (col) => col.notNull().defaultTo(0).check(sql`btotal >= 0`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('board')
    .addColumn('bno', 'integer', (col) => col.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('sid', 'varchar(50)', (col) => col.notNull().references('subject.id').onUpdate('cascade'))
    .addColumn('s_bno', 'integer', (col) => col.notNull())
    .addColumn('user_id', 'varchar(20)', (col) => col.notNull().references('user.id').onUpdate('cascade'))
    .addColumn('writer', 'varchar(20)')
    .addColumn('title', 'varchar(100)', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('view', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('recommend', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('reg_date', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('update_date', 'timestamptz')
    .addColumn('pw', 'varchar(6)')
    .addColumn('deleted', 'boolean', (col) => col.notNull().defaultTo(false))
    .addUniqueConstraint('board_sid_s_bno_key', ['sid', 's_bno'])
    .execute();
  await db.schema.createIndex('board_user_id_idx').on('board').column('user_id').execute();

  await db.schema
    .createTable('recommend')
    .addColumn('rno', 'integer', (col) => col.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('bno', 'integer', (col) => col.notNull().references('board.bno').onDelete('cascade'))
    .addColumn('user_id', 'varchar(20)', (col) => col.notNull().references('user.id').onUpdate('cascade'))
    .addUniqueConstraint('recommend_bno_user_id_key', ['bno', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['recommend', 'board', 'subject', 'user']) {
    await db.schema.dropTable(table).execute();
  }
}
