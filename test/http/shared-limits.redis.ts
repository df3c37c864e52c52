import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { storeUser } from '../helpers/accounts.ts';
import { createPostgresSchema, frontOrigin, memoryLogger, startTestApp, type TestApp } from '../helpers/app.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '../ops/harness/redis.ts';
import { testRedisUrl } from '../setup/tiers.ts';

const loginLimit = 20;
// An address of this run's own, so counters left in the machine's Redis by an earlier run do not count.
const freshAddress = () => `198.18.${randomInt(256)}.${randomInt(256)}`;

/** Two instances of the app on one PostgreSQL schema whose rate limits count in the Redis at `redisUrl`. */
async function twoInstances(redisUrl: string) {
  const schema = await createPostgresSchema();
  const logs = memoryLogger('info');
  const env = { DATABASE_URL: schema.url, REDIS_URL: redisUrl };
  const a = await startTestApp('postgres', { env, sharedState: true, logger: logs.logger });
  const b = await startTestApp('postgres', { env, sharedState: true });
  await storeUser(a.database.db, { id: 'victim', pw: 'a-long-password-1', nick: 'victim', email: 'victim@example.com', auth: 2 });
  return {
    a,
    b,
    logs,
    async close() {
      await a.close();
      await b.close();
      await schema.drop();
    },
  };
}

const guess = (t: TestApp, from: string) =>
  request(t.app).post('/ajax/login/').set('Origin', frontOrigin).set('X-Forwarded-For', from).send({ id: 'victim', pw: 'wrong-guess-000' });

/** Sends `count` guesses at once, spread over the instances in turn, and answers how many of each status came back. */
async function guesses(instances: TestApp[], from: string, count: number): Promise<Record<number, number>> {
  const statuses = await Promise.all(Array.from({ length: count }, (_, index) => guess(instances[index % instances.length]!, from).then((res) => res.status)));
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe(`Rate limits in the Redis at ${testRedisUrl}`, () => {
  let instances: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    instances = await twoInstances(testRedisUrl);
  });
  after(() => instances?.close());

  it(`When one address guesses passwords through two instances, then ${loginLimit} guesses in all are answered and the rest refused`, async () => {
    assert.deepEqual(await guesses([instances.a, instances.b], freshAddress(), loginLimit + 4), { 401: loginLimit, 429: 4 });
  });
});

describe('Rate limits when the Redis goes away and comes back', () => {
  let redis: ThrowawayRedis;
  let instances: Awaited<ReturnType<typeof twoInstances>>;
  before(async () => {
    redis = await startThrowawayRedis();
    instances = await twoInstances(redis.url);
  });
  after(async () => {
    await instances?.close();
    await redis?.stop();
  });

  it('When the Redis stops, then the API keeps answering, each instance limits login on its own, and once it is back the limit is shared again', async () => {
    const { a, b, logs } = instances;
    await redis.stop();
    assert.equal((await request(a.app).get('/ajax/health/')).status, 200);
    assert.equal((await request(b.app).get('/ajax/subject/all')).status, 200);
    const meanwhile = freshAddress();
    // Per instance: A counts its own twenty, and B has not counted any of them.
    assert.deepEqual(await guesses([a], meanwhile, loginLimit + 2), { 401: loginLimit, 429: 2 }, 'instance A alone');
    assert.equal((await guess(b, meanwhile)).status, 401, 'instance B counts on its own');
    assert.ok(logs.lines.some((line) => line.level === 'warn' && line.msg.includes('rate-limit store (redis) unreachable')), 'the fallback is logged');

    await redis.start();
    // The client reconnects within its back-off (at most 2 s) and the store is retried 2 s after a failure.
    await sleep(4500);
    const later = freshAddress();
    assert.deepEqual(await guesses([a], later, loginLimit), { 401: loginLimit }, 'A counts in Redis again');
    assert.equal((await guess(b, later)).status, 429, 'B sees the count A made');
    assert.ok(logs.lines.some((line) => line.msg.includes('rate-limit store (redis) answers again')), 'the recovery is logged');
  });
});
