import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appDefaults } from '../../src/alb-contract.ts';
import { loadBalancerAnswered } from '../../src/doctor/checks/answers.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { diagnose } from './fixtures/doctor.ts';
import { closedPort, loadBalancerProxy, type Running } from './fixtures/servers.ts';

describe('Doctor against a load balancer whose targets are unreachable (the seed incident)', () => {
  let t: TestApp;
  let instance: Awaited<ReturnType<typeof listen>>;
  let wrongPort: number;
  let balancer: Running;
  let url: string;

  before(async () => {
    t = await startTestApp('pglite');
    instance = await listen(t.app);
    instance.server.keepAliveTimeout = appDefaults.keepAliveTimeoutMs;
    wrongPort = await closedPort();
    // The target group forwards to a port nothing listens on, as the seed incident's did (80 instead of 8080).
    balancer = await loadBalancerProxy(wrongPort);
    url = `http://127.0.0.1:${balancer.port}`;
  });
  after(async () => {
    await balancer.close();
    await instance.close();
    await t.close();
  });

  it('When every answer is the balancer\'s own 502, then health says the load balancer answered and the CORS lines say why the browser blames CORS', async () => {
    const diagnosis = await diagnose(url);
    const live = diagnosis.check('health.live');
    assert.equal(live.status, 'fail');
    assert.equal(
      live.evidence,
      "GET /ajax/health/: 502 — the load balancer answered: its targets are unhealthy or unreachable (no X-Request-Id, Server: awselb/2.0, HTML body); it has no CORS headers, so browsers report a 'CORS error'",
    );
    assert.match(live.fix ?? '', /^check the target group's health-check path and port \(expected \/ajax\/health\/ on 8080\)/);
    for (const id of ['health.ready', 'cors.preflight.get', 'cors.preflight.post', 'cors.get', 'cors.error.404', 'cors.error.401', 'subjects']) {
      const check = diagnosis.check(id);
      assert.equal(check.status, 'fail', id);
      assert.match(check.evidence, /: 502 from the load balancer too; it has no CORS headers, so browsers report a 'CORS error'$/, id);
      assert.equal(check.fix, 'see health.live', id);
    }
    assert.equal(diagnosis.check('tcp').status, 'pass');
    assert.match(diagnosis.check('keepalive').evidence, /^not judged: the load balancer answered/);
    assert.equal(diagnosis.check('target.health').status, 'skip');
    assert.equal(diagnosis.report.verdict, 'fail');
  });

  it('When --target is the port the target group uses, then target.health finds nothing listening there', async () => {
    const diagnosis = await diagnose(url, '--target', `127.0.0.1:${wrongPort}`);
    const target = diagnosis.check('target.health');
    assert.equal(target.status, 'fail');
    assert.match(target.evidence, new RegExp(`^connection refused by 127\\.0\\.0\\.1:${wrongPort}: nothing listens there, so the ALB marks this target unhealthy`));
    assert.match(target.fix ?? '', /the target group's port must be the app's PORT \(8080\)/);
    assert.equal(diagnosis.check('keepalive').status, 'skip');
  });

  it('When --target is the instance where the app does listen, then target.health passes and puts the fault between the ALB and it', async () => {
    const diagnosis = await diagnose(url, '--target', `127.0.0.1:${instance.port}`);
    const target = diagnosis.check('target.health');
    assert.equal(target.status, 'pass');
    assert.match(target.evidence, /as ELB-HealthChecker\/2\.0: 200 .*body status pass: the instance is healthy, so the fault is between the ALB and it/);
    assert.equal(diagnosis.check('keepalive').status, 'pass');
    assert.ok(diagnosis.check('health.live').evidence.includes(loadBalancerAnswered));
  });
});
