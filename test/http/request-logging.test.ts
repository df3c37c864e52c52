import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { memoryLogger, startTestApp, type LogLine, type TestApp } from '../helpers/app.ts';

describe('Request ids and access logs', () => {
  let t: TestApp;
  let lines: LogLine[];
  before(async () => {
    const memory = memoryLogger('debug');
    lines = memory.lines;
    t = await startTestApp('pglite', { logger: memory.logger });
  });
  after(() => t.close());

  const linesOf = (id: string) => lines.filter((line) => (line.req as { id?: string } | undefined)?.id === id);
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("When the ALB sends X-Amzn-Trace-Id, then it is echoed as X-Request-Id and is the log line's request id", async () => {
    const trace = 'Root=1-67891233-abcdef012345678912345678';
    const res = await request(t.app).get('/ajax/subject/all').set('X-Amzn-Trace-Id', trace).set('X-Request-Id', 'ignored');
    await settle();
    assert.equal(res.headers['x-request-id'], trace);
    assert.equal(linesOf(trace).length, 1);
  });

  it('When only X-Request-Id is sent, then it is used', async () => {
    const res = await request(t.app).get('/ajax/subject/all').set('X-Request-Id', 'client-id-42');
    assert.equal(res.headers['x-request-id'], 'client-id-42');
  });

  it('When the incoming id is not a plain token, then a fresh id replaces it', async () => {
    const res = await request(t.app).get('/ajax/subject/all').set('X-Request-Id', 'bad id with spaces <script>');
    assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('When no id is sent, then one is generated and returned', async () => {
    const res = await request(t.app).get('/ajax/subject/all');
    assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('When a request carries a token, a cookie and secret query values, then none of them reaches the log', async () => {
    await request(t.app)
      .get('/ajax/subject/all?pw=abc123&key=secret-key&sid=free')
      .set('X-Request-Id', 'secret-check')
      .set('Authorization', 'eyJhbGciOiJIUzI1NiJ9.secret-token.sig')
      .set('Cookie', 'refreshToken=secret-cookie');
    await settle();
    const text = JSON.stringify(linesOf('secret-check'));
    assert.ok(text.length > 0);
    for (const secret of ['abc123', 'secret-key', 'secret-token', 'secret-cookie']) assert.ok(!text.includes(secret), secret);
    assert.match(text, /pw=\[Redacted\]/);
    assert.match(text, /sid=free/);
  });

  it('When the ALB probes health, then the line is logged at debug, never at info', async () => {
    await request(t.app).get('/ajax/health/').set('X-Request-Id', 'health-probe').set('User-Agent', 'ELB-HealthChecker/2.0');
    await settle();
    const health = linesOf('health-probe');
    assert.equal(health.length, 1);
    assert.equal(health[0]!.level, 'debug');
  });

  it('When a request fails with 500, then its log line is at error with the error and the request id', async () => {
    await t.database.db.schema.dropTable('subject').cascade().execute();
    await request(t.app).get('/ajax/subject/all').set('X-Request-Id', 'fails-500');
    await settle();
    const [line] = linesOf('fails-500');
    assert.equal(line?.level, 'error');
    assert.ok((line?.err as { message?: string }).message);
  });
});
