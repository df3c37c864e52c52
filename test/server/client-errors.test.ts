import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { rawExchange, type RawAnswer } from '../helpers/raw-socket.ts';
import { spawnServer, type ServerProcess } from '../helpers/server-process.ts';

function assertOurError(answer: RawAnswer, status: number, code: string) {
  assert.equal(answer.status, status);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(answer.body) as { error: { code: string; requestId: string } };
  assert.equal(body.error.code, code);
  assert.ok(answer.headers['x-request-id'], 'an X-Request-Id, so it cannot be taken for a load balancer error');
  assert.equal(body.error.requestId, answer.headers['x-request-id']);
}

describe('Requests the HTTP parser refuses (found by the hostile-input ops scenario)', () => {
  let server: ServerProcess;
  before(async () => {
    server = await spawnServer();
  });
  after(() => server?.kill('SIGKILL'));

  it('When the request line holds bytes that are not valid HTTP, then 400 JSON with an X-Request-Id that the log names too', async () => {
    const answer = await rawExchange(server.port, { method: 'GET', target: Buffer.from([0x2f, 0xff, 0xfe]) });
    assertOurError(answer, 400, 'BAD_REQUEST');
    await sleep(100);
    const line = server.logs.find((entry) => (entry.req as { id?: string } | undefined)?.id === answer.headers['x-request-id']);
    assert.equal(line?.msg, '400 refused by the HTTP parser');
  });

  it('When the headers exceed the size limit (a big cookie), then 431 JSON with an X-Request-Id and CORS for the front end', async () => {
    const answer = await rawExchange(server.port, {
      method: 'GET',
      target: '/ajax/subject/all',
      headers: [['Origin', frontOrigin], ['Cookie', `tracking=${'x'.repeat(20_000)}`]],
    });
    assertOurError(answer, 431, 'HEADERS_TOO_LARGE');
    assert.equal(answer.headers['access-control-allow-origin'], frontOrigin, 'so the browser shows 431, not a "CORS error"');
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
  });

  it('When the same oversized request comes from an origin not allowed, then no CORS headers', async () => {
    const answer = await rawExchange(server.port, {
      method: 'GET',
      target: '/ajax/subject/all',
      headers: [['Origin', 'https://evil.example'], ['Cookie', `tracking=${'x'.repeat(20_000)}`]],
    });
    assertOurError(answer, 431, 'HEADERS_TOO_LARGE');
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
  });

  it('When a request carries an Expect other than 100-continue, then it is served as usual instead of a bare 417', async () => {
    const answer = await rawExchange(server.port, { method: 'GET', target: '/ajax/health/', headers: [['Expect', 'something-else']] });
    assert.equal(answer.status, 200);
    assert.ok(answer.headers['x-request-id']);
  });

  it('When a malformed request has been answered, then the server keeps serving', async () => {
    await rawExchange(server.port, { method: 'get', target: '/' });
    assert.equal((await rawExchange(server.port, { method: 'GET', target: '/ajax/health/' })).status, 200);
  });
});
