import type { Migration } from 'kysely/migration';
import * as init from './001-init.ts';
import * as accounts from './002-accounts.ts';
import * as guests from './003-guests.ts';
import * as verificationMailTotals from './004-verification-mail-totals.ts';
import * as rateLimitCounters from './005-rate-limit-counters.ts';

/** Every migration, in order. A released migration never changes; add the next numbered file instead. */
export const migrations: Record<string, Migration> = {
  '001-init': init,
  '002-accounts': accounts,
  '003-guests': guests,
  '004-verification-mail-totals': verificationMailTotals,
  '005-rate-limit-counters': rateLimitCounters,
};
