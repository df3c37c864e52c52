import type { AccountRepository } from './repository.ts';
import type { User } from './schemas.ts';

export function accountService(accounts: AccountRepository) {
  return {
    /** The caller's account, or null when the token's user has no row (the original answered `null` too). */
    async account(id: string): Promise<User | null> {
      return (await accounts.findById(id)) ?? null;
    },
  };
}

export type AccountService = ReturnType<typeof accountService>;
