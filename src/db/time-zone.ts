import { sql } from 'kysely';
import { StartupError } from '../startup-error.ts';
import type { Db } from './database.ts';
import type { DatabaseProbe } from './probe.ts';

/**
 * Whether PostgreSQL knows `zone` by name: the zones of its time zone database (pg_timezone_names: IANA names and
 * their aliases, in any letter case), not abbreviations such as KST or POSIX rules such as KST-9, which AT TIME ZONE
 * would also take.
 */
export async function knowsTimeZone(db: Db, zone: string): Promise<boolean> {
  const { rows } = await sql<{ known: boolean }>`select exists (select from pg_timezone_names where lower(name) = lower(${zone})) as known`.execute(db);
  return rows[0]?.known === true;
}

const unknownZone = (zone: string) =>
  new StartupError(`APP_TIME_ZONE=${zone}: the database knows no time zone of that name (use an IANA name such as Asia/Seoul or UTC)`);

/** Fails the start with one line naming APP_TIME_ZONE when the database that writes the post dates does not know it. */
export async function checkTimeZone(db: Db, zone: string): Promise<void> {
  if (!(await knowsTimeZone(db, zone))) throw unknownZone(zone);
}

/**
 * For a server started while its database was away (MIGRATE_ON_START=false): checks the zone at the first probe
 * that reaches the database (retrying at the next one if the check itself fails), and calls `onUnknown` if it is
 * unknown, as the start would have failed.
 */
export function checkTimeZoneOnceReachable(db: Db, probe: DatabaseProbe, zone: string, onUnknown: (error: StartupError) => void): void {
  let state: 'waiting' | 'checking' | 'done' = 'waiting';
  probe.onChange((result) => {
    if (result.status !== 'pass' || state !== 'waiting') return;
    state = 'checking';
    knowsTimeZone(db, zone).then(
      (known) => {
        state = 'done';
        if (!known) onUnknown(unknownZone(zone));
      },
      () => {
        state = 'waiting';
      },
    );
  });
}
