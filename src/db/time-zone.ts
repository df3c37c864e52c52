import { sql } from 'kysely';
import { StartupError } from '../startup-error.ts';
import type { Db } from './database.ts';
import type { DatabaseProbe } from './probe.ts';

/**
 * Why the database would not write post dates in `zone` as that zone's own rules say, or undefined when it would.
 *
 * The post dates are written with `AT TIME ZONE zone` (src/features/boards/repository.ts), which reads a name as
 * an abbreviation first (a fixed offset: CET is always +01 there, where the zone CET has summer time), then as a
 * zone of its time zone database, then as a POSIX rule (the configuration refuses those). So the name must be a
 * zone the database knows (the session setting `timezone` accepts nothing else: no abbreviations such as KST), and
 * AT TIME ZONE must give what that zone gives, in winter and in summer. Two statements in one transaction, ~1 ms.
 */
export async function timeZoneProblem(db: Db, zone: string): Promise<string | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select set_config('timezone', ${zone}, true)`.execute(trx);
      const { rows } = await sql<{ same: boolean }>`
        select bool_and(to_char(t at time zone ${zone}, 'YYYY-MM-DD HH24:MI') = to_char(t, 'YYYY-MM-DD HH24:MI')) as same
        from (values (timestamptz '2024-01-15 12:00:00+00'), (timestamptz '2024-07-15 12:00:00+00')) as sample (t)`.execute(trx);
      return rows[0]?.same === true ? undefined : 'the database reads that name as a fixed-offset abbreviation, not as the zone (use a location such as Europe/Paris)';
    });
  } catch (error) {
    // invalid_parameter_value: `timezone` refused the name.
    if ((error as { code?: unknown }).code === '22023') return 'the database knows no time zone of that name (use an IANA name such as Asia/Seoul or UTC)';
    throw error;
  }
}

const refused = (zone: string, problem: string) => new StartupError(`APP_TIME_ZONE=${zone}: ${problem}`);

/** Fails the start with one line naming APP_TIME_ZONE when the database would not write the post dates in that zone. */
export async function checkTimeZone(db: Db, zone: string): Promise<void> {
  const problem = await timeZoneProblem(db, zone);
  if (problem !== undefined) throw refused(zone, problem);
}

/**
 * For a server started while its database was away (MIGRATE_ON_START=false): checks the zone at the first probe
 * that reaches the database (retrying at the next one if the check itself fails), and calls `onRefused` if the
 * start would have failed.
 */
export function checkTimeZoneOnceReachable(db: Db, probe: DatabaseProbe, zone: string, onRefused: (error: StartupError) => void): void {
  let state: 'waiting' | 'checking' | 'done' = 'waiting';
  probe.onChange((result) => {
    if (result.status !== 'pass' || state !== 'waiting') return;
    state = 'checking';
    timeZoneProblem(db, zone).then(
      (problem) => {
        state = 'done';
        if (problem !== undefined) onRefused(refused(zone, problem));
      },
      () => {
        state = 'waiting';
      },
    );
  });
}
