import { sql, type Kysely } from 'kysely';

// How many verification mails each address has been sent, ever: a total cap, whichever account asked.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('verification_mail_total')
    .addColumn('email', 'varchar(254)', (col) => col.primaryKey().check(sql`email = lower(email)`))
    .addColumn('sent', 'integer', (col) => col.notNull())
    .addColumn('last_sent_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verification_mail_total').execute();
}
