// What node-postgres alone costs per query, with no HTTP around it: the floor under target 3 of issue 18 (one
// uncached row ≤ 60 µs of server CPU). `taskset -c 1 npx node bench/driver-cost.ts [rate …]` (default 3000 and
// 20000 queries/s, 5 s each): subject/get's SQL on a pool of the server's size, offered at each rate from a 1 ms
// timer, and the same loop with the query replaced by a resolved promise; the difference is the driver's CPU
// (user + system, this process) per query. Pin it to a core of its own: PostgreSQL's work is not counted.
import pg from 'pg';
import { createSchema, seedForum } from './lib/fixtures.ts';

const sql = 'select "id", "title", "description", "admin" from "subject" where "id" = $1';
const seconds = 5;
const rates = process.argv.slice(2).map(Number).filter((rate) => rate > 0);

/** Offers `send` at `rate` per second for `seconds`; returns CPU µs per completed call (user, system). */
async function cpuPerCall(rate: number, send: () => Promise<unknown>): Promise<{ user: number; system: number; calls: number }> {
  let sent = 0;
  let done = 0;
  const before = process.cpuUsage();
  const startedAt = performance.now();
  await new Promise<void>((finished) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      const due = Math.floor((Math.min(elapsed, seconds * 1000) / 1000) * rate) - sent;
      for (let call = 0; call < due; call++, sent++) void send().then(() => done++);
      if (elapsed >= seconds * 1000) {
        clearInterval(tick);
        finished();
      }
    }, 1);
  });
  while (done < sent) await new Promise((settled) => setTimeout(settled, 10));
  const used = process.cpuUsage(before);
  return { user: used.user / done, system: used.system / done, calls: done };
}

const schema = await createSchema();
await seedForum(schema.url, 0);
const pool = new pg.Pool({ connectionString: schema.url, max: 10 });
try {
  await pool.query(sql, ['free']);
  for (const rate of rates.length > 0 ? rates : [3000, 20_000]) {
    const empty = await cpuPerCall(rate, () => Promise.resolve());
    const query = await cpuPerCall(rate, () => pool.query(sql, ['free']));
    const net = query.user + query.system - empty.user - empty.system;
    console.log(
      `${rate} queries/s offered, ${query.calls} answered: ${(query.user + query.system).toFixed(1)} µs CPU per query ` +
        `(user ${query.user.toFixed(1)}, system ${query.system.toFixed(1)}); the loop alone ${(empty.user + empty.system).toFixed(1)} µs; ` +
        `node-postgres ${net.toFixed(1)} µs per query`,
    );
  }
} finally {
  await pool.end();
  await schema.drop();
}
