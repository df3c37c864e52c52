import { sql, type Kysely } from 'kysely';

// Each guest login now creates its own account (auth 0, ROLE_GUEST): guests are distinct people. The shared
// `guest` account of migration 002 becomes one of them, whose sessions end here: it keeps the posts it (or
// the original's guest) wrote, and nobody signs in as it again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('user').addCheckConstraint('user_guest_has_no_credentials', sql`auth <> 0 or (pw is null and email is null)`).execute();
  await sql`update "user" set auth = 0, email = null where id = 'guest'`.execute(db);
  await sql`delete from refresh_token where user_id = 'guest'`.execute(db);
  // Abandoned guest accounts are found by age (src/features/accounts/repository.ts).
  await db.schema.createIndex('user_guest_created_at_idx').on('user').column('created_at').where(sql.ref('auth'), '=', 0).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('user_guest_created_at_idx').execute();
  await sql`delete from "user" where auth = 0 and id like 'guest\\_%' and not exists (select 1 from board where board.user_id = "user".id)`.execute(db);
  await db.schema.alterTable('user').dropConstraint('user_guest_has_no_credentials').execute();
  await sql`update "user" set auth = 2, email = 'guest@guest.guest' where id = 'guest'`.execute(db);
}
