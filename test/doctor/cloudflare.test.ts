import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appDefaults } from '../../src/alb-contract.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { diagnose, type Diagnosis } from './fixtures/doctor.ts';
import { closedPort, cloudflareEdge, cloudflareRay, loadBalancerProxy, type CloudflareEdge, type Running } from './fixtures/servers.ts';

const httpIds = ['health.live', 'health.ready', 'cors.preflight.get', 'cors.preflight.post', 'cors.get', 'cors.error.404', 'cors.error.401', 'subjects'];

/** Fixes that send the reader to forum-api: wrong whenever the answer is not forum-api's. */
const forumApiLeads = /CORS_ORIGINS|server log|request id|forward to forum-api|the health path must be|apply CORS|KEEP_ALIVE_TIMEOUT_MS|allow credentials|Vary: Origin|answer OPTIONS/i;

function assertNoForumApiLead(diagnosis: Diagnosis) {
  const leads = diagnosis.report.checks.filter((check) => check.fix !== null && forumApiLeads.test(check.fix)).map((check) => `${check.id}: ${check.fix}`);
  assert.deepEqual(leads, [], 'no check advises changing forum-api');
}

describe('Doctor through Cloudflare (an edge on loopback, the API name resolved with --resolve)', () => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof listen>>;
  let edge: CloudflareEdge;
  let deadBalancer: Running;
  const url = () => `http://api.forum.test:${edge.port}`;
  const run = (...args: string[]) => diagnose(url(), '--resolve', 'api.forum.test:127.0.0.1', '--resolve', 'alb.forum.test:127.0.0.1', ...args);

  before(async () => {
    t = await startTestApp('pglite');
    api = await listen(t.app);
    api.server.keepAliveTimeout = appDefaults.keepAliveTimeoutMs;
    deadBalancer = await loadBalancerProxy(await closedPort());
    edge = await cloudflareEdge();
  });
  after(async () => {
    await edge.close();
    await deadBalancer.close();
    await api.close();
    await t.close();
  });

  it('When Cloudflare answers 526 itself, then the cloudflare line explains it as the ALB certificate, every HTTP line points to it, and no line suggests changing forum-api', async () => {
    edge.behave({ errorPage: 526 });
    const diagnosis = await run();
    const cloudflare = diagnosis.check('cloudflare');
    assert.equal(cloudflare.status, 'fail');
    assert.match(cloudflare.evidence, new RegExp(`^GET /ajax/health/: 526 from Cloudflare \\(cf-ray ${cloudflareRay}, no X-Request-Id\\): the origin's certificate is invalid: the ALB's certificate expired or does not cover the API's name`));
    assert.match(cloudflare.evidence, /the tls lines judge Cloudflare's edge certificate, not the ALB's/);
    assert.match(cloudflare.fix ?? '', /^renew or replace the ACM certificate on the ALB's HTTPS listener .*--origin-host <the ALB's DNS name>/);
    for (const id of httpIds) {
      assert.deepEqual([diagnosis.check(id).status, diagnosis.check(id).fix], ['fail', 'see cloudflare'], id);
      assert.match(diagnosis.check(id).evidence, /: 526 from Cloudflare too \(no CORS headers\)$/, id);
    }
    assert.match(diagnosis.check('keepalive').evidence, /^not judged: not forum-api's answer/);
    assertNoForumApiLead(diagnosis);
    assert.equal(diagnosis.report.verdict, 'fail');
  });

  const explained: Array<[number, RegExp, RegExp]> = [
    [520, /empty, reset or unreadable answer/, /HTTPS listener and its targets' health/],
    [521, /refused the connection: no listener on the port Cloudflare uses/, /HTTPS listener on 443/],
    [522, /timed out: its security group drops Cloudflare's addresses/, /security group must allow Cloudflare's ranges on 443/],
    [523, /DNS record's target does not resolve/, /CNAME of the ALB's DNS name/],
    [524, /no answer within 100 s/, /points at the ALB/],
    [525, /TLS handshake between Cloudflare and the origin \(the ALB\) failed/, /needs an ACM certificate/],
  ];
  for (const [status, meaning, fix] of explained) {
    it(`When Cloudflare answers ${status} itself, then it is explained in AWS terms, with an AWS fix`, async () => {
      edge.behave({ errorPage: status });
      const diagnosis = await run();
      const cloudflare = diagnosis.check('cloudflare');
      assert.equal(cloudflare.status, 'fail');
      assert.match(cloudflare.evidence, new RegExp(`^GET /ajax/health/: ${status} from Cloudflare`));
      assert.match(cloudflare.evidence, meaning);
      assert.match(cloudflare.fix ?? '', fix);
      assertNoForumApiLead(diagnosis);
    });
  }

  it("When Cloudflare passes on the ALB's own 502 page, then the lines say the load balancer answered, through Cloudflare, and point at the target group", async () => {
    edge.behave({ upstreamPort: deadBalancer.port });
    const diagnosis = await run();
    assert.match(diagnosis.check('cloudflare').evidence, /^proxied by Cloudflare \(cf-ray .*; it passed on the load balancer's own 502 page \(see health\.live\)$/);
    assert.equal(diagnosis.check('cloudflare').status, 'pass');
    const live = diagnosis.check('health.live');
    assert.equal(live.status, 'fail');
    assert.match(live.evidence, /502 — the load balancer answered: its targets are unhealthy or unreachable \(no X-Request-Id, Server: cloudflare, HTML body, passed through Cloudflare, cf-ray /);
    assert.match(live.fix ?? '', /^check the target group's health-check path and port/);
    assertNoForumApiLead(diagnosis);
  });

  it('When Cloudflare proxies to forum-api, then the cloudflare line passes and says the tls lines see the edge certificate', async () => {
    edge.behave({ upstreamPort: api.port });
    const diagnosis = await run();
    const cloudflare = diagnosis.check('cloudflare');
    assert.equal(cloudflare.status, 'pass');
    assert.match(cloudflare.evidence, /^proxied by Cloudflare \(cf-ray .*\): the tls lines judge Cloudflare's edge certificate, not the ALB's; --origin-host <the ALB's DNS name> checks the ALB's own; forum-api answers through it$/);
    for (const id of httpIds) assert.equal(diagnosis.check(id).status, 'pass', `${id}: ${diagnosis.check(id).evidence}`);
  });

  it('When Cloudflare answers 403 itself (a WAF rule), then the checks fail with a Cloudflare lead, never a forum-api one', async () => {
    edge.behave({ errorPage: 403 });
    const diagnosis = await run();
    assert.equal(diagnosis.check('cloudflare').status, 'warn');
    assert.match(diagnosis.check('cloudflare').evidence, /Cloudflare answered 403 itself, not forum-api/);
    for (const id of ['health.live', 'cors.preflight.get', 'cors.get', 'subjects']) {
      assert.equal(diagnosis.check(id).status, 'fail', id);
      assert.match(diagnosis.check(id).fix ?? '', /^this answer is Cloudflare's \(cf-ray .*\), not forum-api's \(no X-Request-Id\)/, id);
    }
    assertNoForumApiLead(diagnosis);
  });

  it("When --origin-host reaches a healthy ALB while Cloudflare says 526, then the origin lines pass and put the fault on Cloudflare's side", async () => {
    edge.behave({ errorPage: 526 });
    const diagnosis = await run('--origin-host', `alb.forum.test:${api.port}`);
    assert.match(diagnosis.check('origin.listener').evidence, new RegExp(`^alb\\.forum\\.test:${api.port} \\(127\\.0\\.0\\.1\\) accepts connections`));
    assert.equal(diagnosis.check('origin.tls').status, 'skip');
    assert.match(diagnosis.check('origin.health').evidence, /^200 .*\(request id \S+\), body status pass$/);
    const cors = diagnosis.check('origin.cors');
    assert.equal(cors.status, 'pass');
    assert.match(cors.evidence, /The ALB and forum-api are fine from here: the error in cloudflare is on Cloudflare's side/);
    assert.match(diagnosis.check('cloudflare').evidence, /the origin\.\* lines check the ALB itself/);
  });

  it("When --origin-host reaches an ALB whose targets are down, then origin.health says the load balancer answered (AWS's side)", async () => {
    edge.behave({ errorPage: 526 });
    const diagnosis = await run('--origin-host', `alb.forum.test:${deadBalancer.port}`);
    const health = diagnosis.check('origin.health');
    assert.equal(health.status, 'fail');
    assert.match(health.evidence, /on the ALB alb\.forum\.test:\d+: 502 — the load balancer answered: its targets are unhealthy or unreachable/);
    assert.equal(diagnosis.check('origin.cors').fix, 'see origin.health');
    assertNoForumApiLead(diagnosis);
  });

  it('When --origin-host has no listener on the port, then origin.listener fails (Cloudflare would say 521) and the rest is not run', async () => {
    const port = await closedPort();
    const diagnosis = await run('--origin-host', `alb.forum.test:${port}`);
    const listener = diagnosis.check('origin.listener');
    assert.equal(listener.status, 'fail');
    assert.equal(listener.evidence, `connection refused by alb.forum.test:${port}: the load balancer has no listener on ${port}`);
    assert.match(listener.fix ?? '', /Cloudflare shows 521/);
    for (const id of ['origin.tls', 'origin.health', 'origin.cors']) assert.equal(diagnosis.check(id).evidence, 'not run: origin.listener failed', id);
  });

  it('When no --origin-host is given, then the origin lines are skipped and say how to ask for them', async () => {
    edge.behave({ errorPage: 526 });
    const diagnosis = await run();
    for (const id of ['origin.listener', 'origin.tls', 'origin.health', 'origin.cors']) {
      assert.equal(diagnosis.check(id).status, 'skip', id);
      assert.match(diagnosis.check(id).evidence, /^no --origin-host: behind Cloudflare, --origin-host <the ALB's DNS name> probes the load balancer directly$/, id);
    }
  });
});
