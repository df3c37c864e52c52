import assert from 'node:assert/strict';
import type { Test } from 'supertest';
import { frontOrigin } from './app.ts';

/** Sends `allowed` requests, then one more, which must be refused with 429, Retry-After and CORS headers. */
export async function assertLimitedAfter(allowed: number, send: () => Test, what = ''): Promise<void> {
  for (let attempt = 0; attempt < allowed; attempt += 1) await send();
  const res = await send().set('Origin', frontOrigin);
  assert.equal(res.status, 429, what);
  assert.equal(res.body.error.code, 'TOO_MANY_REQUESTS');
  assert.ok(Number(res.headers['retry-after']) > 0, what);
  assert.equal(res.headers['access-control-allow-origin'], frontOrigin, what);
}
