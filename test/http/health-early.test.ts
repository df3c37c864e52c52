import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { requestListener, type App } from '../../src/app.ts';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';

// Keep-alive asked for, so that `Connection: close` comes from the server only (while it drains).
const elbProbe = { 'User-Agent': 'ELB-HealthChecker/2.0', Host: '10.0.3.7:8080', Origin: frontOrigin, Connection: 'keep-alive' };
const healthPaths = ['/ajax/health/', '/ajax/health', '/ajax/health/ready', '/ajax/health/ready/'];

/** The app, counting the requests that reach Express: the early path must leave it alone. */
function countingExpress(app: App): { app: App; reached: string[] } {
  const reached: string[] = [];
  const counted = new Proxy(app, {
    apply(target, thisArgument, args: [IncomingMessage, unknown]) {
      reached.push(args[0].url ?? '');
      return Reflect.apply(target, thisArgument, args);
    },
  });
  return { app: counted, reached };
}

type Answer = Awaited<ReturnType<ReturnType<typeof request>['get']>>;

/** Status, headers (the request id and date only as present) and body: what must not differ between the two paths. */
function shape(res: Answer) {
  const { date, 'x-request-id': id, ...headers } = res.headers as Record<string, string>;
  return { status: res.status, headers, hasDate: date !== undefined, hasId: id !== undefined, body: res.text };
}

describe('Health answered before Express', () => {
  let t: TestApp;
  let express: ReturnType<typeof countingExpress>;
  let listener: ReturnType<typeof requestListener>;
  before(async () => {
    t = await startTestApp('pglite');
    // No probe rounds between the two answers compared: each rebuilds the bodies with its own time.
    t.probe.stop();
    await t.probe.check();
    express = countingExpress(t.app);
    listener = requestListener(express.app);
  });
  after(() => t.close());
  beforeEach(() => {
    express.reached.length = 0;
  });

  for (const path of healthPaths) {
    it(`When the ALB probes GET ${path}, then the early answer is the Express route's answer and Express is not reached`, async () => {
      const early = await request(listener).get(path).set(elbProbe);
      assert.deepEqual(express.reached, []);
      const routed = await request(t.app).get(path).set(elbProbe);
      assert.deepEqual(shape(early), shape(routed));
      assert.equal(early.status, 200);
      assert.match(early.headers['content-type'] ?? '', /^application\/health\+json$/);
      assert.equal(early.headers['cache-control'], 'no-store');
      assert.equal(early.headers['content-length'], String(Buffer.byteLength(early.text)));
      assert.equal(JSON.parse(early.text).status, 'pass');
    });

    it(`When HEAD ${path} is sent, then it gets the same headers and no body, before Express`, async () => {
      const early = await request(listener).head(path).set(elbProbe);
      assert.deepEqual(express.reached, []);
      const routed = await request(t.app).head(path).set(elbProbe);
      assert.deepEqual(shape(early), shape(routed));
      assert.equal(early.status, 200);
      assert.equal(early.text, undefined);
    });
  }

  it("When the probe carries the ALB's trace id, then the early answer echoes it as X-Request-Id", async () => {
    const res = await request(listener).get('/ajax/health/').set('X-Amzn-Trace-Id', 'Root=1-67891233-abcdef012345678912345678');
    assert.equal(res.headers['x-request-id'], 'Root=1-67891233-abcdef012345678912345678');
  });

  it('When another method, a query string or another path is sent, then Express answers it as before', async () => {
    const query = await request(listener).get('/ajax/health/?from=alb');
    assert.equal(query.status, 200);
    assert.equal(JSON.parse(query.text).status, 'pass');
    const post = await request(listener).post('/ajax/health/');
    const subjects = await request(listener).get('/ajax/subject/all').set('Origin', frontOrigin);
    assert.equal(subjects.status, 200);
    assert.equal(subjects.headers['access-control-allow-origin'], frontOrigin);
    assert.deepEqual(express.reached, ['/ajax/health/?from=alb', '/ajax/health/', '/ajax/subject/all']);
    assert.notEqual(post.status, 200);
  });

  it('When the database is unreachable, then early readiness answers 503 fail and liveness still 200', async () => {
    t.probe.markUnavailable(new Error('connection refused'));
    try {
      const ready = await request(listener).get('/ajax/health/ready');
      assert.equal(ready.status, 503);
      assert.equal(JSON.parse(ready.text).status, 'fail');
      assert.equal((await request(listener).get('/ajax/health/')).status, 200);
      assert.deepEqual(express.reached, []);
    } finally {
      await t.probe.check();
    }
  });
});

describe('Health answered before Express while draining', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
    t.lifecycle.startDraining();
  });
  after(() => t.close());

  for (const path of healthPaths) {
    it(`When the server is draining, then GET ${path} answers 503 fail with Connection: close, as the Express route does`, async () => {
      const express = countingExpress(t.app);
      const early = await request(requestListener(express.app)).get(path).set(elbProbe);
      assert.deepEqual(express.reached, []);
      const routed = await request(t.app).get(path).set(elbProbe);
      assert.deepEqual(shape(early), shape(routed));
      assert.equal(early.status, 503);
      assert.equal(early.headers.connection, 'close');
      assert.equal(JSON.parse(early.text).status, 'fail');
    });
  }
});
