import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { databaseKinds, frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { forgedTokens } from '../helpers/tokens.ts';

const elbProbe = { 'User-Agent': 'ELB-HealthChecker/2.0', Host: '10.0.3.7:8080' };

for (const kind of databaseKinds) {
  describe(`Health on ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    for (const path of ['/ajax/health/', '/ajax/health']) {
      it(`When the ALB probes GET ${path} with its user agent and an IP Host, then it gets 200 pass`, async () => {
        const res = await request(t.app).get(path).set(elbProbe);
        assert.equal(res.status, 200);
        assert.match(res.headers['content-type'] ?? '', /^application\/health\+json/);
        const body = JSON.parse(res.text);
        assert.equal(body.status, 'pass');
        assert.equal(body.checks['database:responseTime'][0].status, 'pass');
        assert.ok(res.headers['x-request-id']);
      });

      it(`When HEAD ${path} is sent, then it gets 200 with no body`, async () => {
        const res = await request(t.app).head(path).set(elbProbe);
        assert.equal(res.status, 200);
        assert.equal(res.text, undefined);
      });
    }

    it('When the probe carries a garbage or expired Authorization header, then health still answers 200', async () => {
      for (const token of ['garbage', await forgedTokens.expired(), await forgedTokens.algNone()]) {
        const res = await request(t.app).get('/ajax/health/').set('Authorization', token);
        assert.equal(res.status, 200, token);
      }
    });

    it('When the probe sends a malformed JSON body, then health still answers 200', async () => {
      const res = await request(t.app).get('/ajax/health/').set('Content-Type', 'application/json').send('{"oops":');
      assert.equal(res.status, 200);
    });

    it('When a target group is left on its default path /, then it gets 200', async () => {
      const res = await request(t.app).get('/').set(elbProbe);
      assert.equal(res.status, 200);
    });

    it('When someone opens /, then its content type matches its body: plain JSON pointing at health, the API document and its page', async () => {
      const res = await request(t.app).get('/');
      assert.match(res.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
      assert.deepEqual(JSON.parse(res.text), { service: 'forum-api', health: '/ajax/health/', api: '/ajax/openapi.json', docs: '/ajax/docs/' });
    });

    it('When the database is reachable, then readiness answers 200', async () => {
      const res = await request(t.app).get('/ajax/health/ready');
      assert.equal(res.status, 200);
      assert.equal(JSON.parse(res.text).status, 'pass');
    });

  });
}

describe('Health while draining', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
    t.lifecycle.startDraining();
  });
  after(() => t.close());

  it('When the server is draining, then health and readiness answer 503 fail with Connection: close', async () => {
    for (const path of ['/ajax/health/', '/ajax/health', '/ajax/health/ready', '/']) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 503, path);
      assert.equal(res.headers.connection, 'close', path);
      assert.match(res.headers['content-type'] ?? '', /^application\/health\+json/, path);
      assert.equal(JSON.parse(res.text).status, 'fail');
    }
  });

  it('When the server is draining, then ordinary requests are still served but close their connection', async () => {
    const res = await request(t.app).get('/ajax/subject/all');
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'close');
  });
});
