import type { Db } from '../../db/index.ts';

export function accountRepository(db: Db) {
  return {
    findById: (id: string) =>
      db.selectFrom('user').select(['id', 'nick', 'email', 'auth']).where('id', '=', id).executeTakeFirst(),
  };
}

export type AccountRepository = ReturnType<typeof accountRepository>;
