import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { frontOrigin } from '../helpers/app.ts';
import { startCluster, type Cluster } from './harness/cluster.ts';
import { startHaproxy, type Haproxy } from './harness/haproxy.ts';
import { freePort } from './harness/ports.ts';

const fromBrowser = { Origin: frontOrigin, Accept: 'application/json' };

describe('Every target unhealthy: the seed incident', () => {
  let cluster: Cluster;
  let misconfigured: Haproxy;
  before(async () => {
    cluster = await startCluster();
    // The seed incident's target group: health checks on `/` at a port nothing listens on (80 while the
    // app served 8080), so every target is unhealthy while every process is fine.
    const wrongPort = await freePort();
    misconfigured = await startHaproxy({
      checkPath: '/',
      targets: cluster.names.map((name, index) => ({ name, port: cluster.ports[index]!, checkPort: wrongPort })),
    });
    await Promise.all(cluster.names.map((name) => misconfigured.waitForStatus(name, 'DOWN')));
  });
  after(async () => {
    await misconfigured?.stop();
    await cluster?.stop();
  });

  it('When every target fails its health check, then the load balancer answers its own 503: HTML, no CORS headers, no X-Request-Id', async (t) => {
    const res = await fetch(`http://127.0.0.1:${misconfigured.port}/ajax/subject/all`, { headers: fromBrowser });
    const body = await res.text();
    t.diagnostic(`through the misconfigured load balancer: ${res.status} ${res.headers.get('server')} ${res.headers.get('content-type')}; Access-Control-Allow-Origin ${res.headers.get('access-control-allow-origin')}; X-Request-Id ${res.headers.get('x-request-id')}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('server'), 'awselb/2.0');
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(body, /<html>/);
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'so the browser reports a "CORS error", not the 503');
    assert.equal(res.headers.get('x-request-id'), null, 'so it is not ours');
  });

  it("When the browser's preflight meets the unhealthy target group, then it also gets the CORS-less 503 (the fetch never starts)", async () => {
    const res = await fetch(`http://127.0.0.1:${misconfigured.port}/ajax/account/`, {
      method: 'OPTIONS',
      headers: { ...fromBrowser, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('When the same targets are asked directly or through a correctly configured target group, then they answer 200 with CORS and X-Request-Id', async (t) => {
    for (const [via, port] of [['target t1 directly', cluster.ports[0]!], ['the correct load balancer', cluster.haproxy.port]] as const) {
      const res = await fetch(`http://127.0.0.1:${port}/ajax/subject/all`, { headers: fromBrowser });
      t.diagnostic(`${via}: ${res.status}; Access-Control-Allow-Origin ${res.headers.get('access-control-allow-origin')}; X-Request-Id ${res.headers.get('x-request-id')}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), frontOrigin);
      assert.ok(res.headers.get('x-request-id'));
    }
  });

  it('When our own server answers an error (404, 401, 413, 400), then it is JSON with X-Request-Id and CORS, unlike the load balancer page', async () => {
    const cases: Array<[string, RequestInit]> = [
      ['/nothing', {}],
      ['/ajax/account/', { method: 'POST' }],
      ['/ajax/subject/all', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"broken":' }],
      ['/ajax/account/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ big: 'x'.repeat(600_000) }) }],
    ];
    for (const [path, init] of cases) {
      const res = await fetch(`http://127.0.0.1:${cluster.haproxy.port}${path}`, { ...init, headers: { ...fromBrowser, ...(init.headers as Record<string, string>) } });
      const body = (await res.json()) as { error?: { code?: string; requestId?: string } };
      assert.ok(res.status >= 400 && res.status < 500, `${path} → ${res.status}`);
      assert.equal(res.headers.get('access-control-allow-origin'), frontOrigin, path);
      assert.equal(body.error?.requestId, res.headers.get('x-request-id'), path);
    }
  });
});
