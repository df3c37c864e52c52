import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { canaryScript, checkLikeTheBrowser, type CanaryTarget } from '../../deploy/canary/cors-canary.ts';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { closedPort, loadBalancerProxy, type Running } from '../doctor/fixtures/servers.ts';

/** The script as CloudWatch Synthetics loads it (CommonJS, `index.handler`), with Node's fetch as the runtime's. */
function loadCanary(target: CanaryTarget): { handler: () => Promise<string>; logged: string[] } {
  const logged: string[] = [];
  const module = { exports: {} as { handler?: () => Promise<string> } };
  runInNewContext(canaryScript(target), {
    module,
    exports: module.exports,
    fetch,
    URL,
    AbortSignal,
    console: { log: (line: string) => logged.push(line) },
  });
  assert.equal(typeof module.exports.handler, 'function');
  return { handler: module.exports.handler!, logged };
}

describe('The CORS canary (the script CloudWatch Synthetics runs)', () => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof listen>>;
  let balancer: Running;
  const target = (apiUrl: string, origin = frontOrigin): CanaryTarget => ({ apiUrl, origin, timeoutMs: 3000 });

  before(async () => {
    t = await startTestApp('pglite');
    api = await listen(t.app);
    // An ALB whose only target is down: its own 502 page, no CORS headers, no X-Request-Id.
    balancer = await loadBalancerProxy(await closedPort());
  });
  after(async () => {
    await balancer.close();
    await api.close();
    await t.close();
  });

  it('When our server answers, then the preflight and the GET both pass and the deployed script logs both', async () => {
    const lines = await checkLikeTheBrowser(fetch, target(`http://127.0.0.1:${api.port}`));
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^OPTIONS http:\/\/127\.0\.0\.1:\d+\/ajax\/subject\/all \(preflight, Origin https:\/\/yongheonn\.com\): 20\d from forum-api, request id \S+$/);
    assert.match(lines[1]!, /^GET http:\/\/127\.0\.0\.1:\d+\/ajax\/subject\/all: 200 from forum-api, request id \S+$/);

    const canary = loadCanary(target(`http://127.0.0.1:${api.port}`));
    assert.equal(await canary.handler(), 'the preflight and the GET both allow https://yongheonn.com');
    assert.equal(canary.logged.length, 2);
  });

  it("When the load balancer answers its own 502 page, then the run fails, naming the status, the missing CORS header and the load balancer", async () => {
    const url = `http://127.0.0.1:${balancer.port}`;
    await assert.rejects(checkLikeTheBrowser(fetch, target(url)), (error: Error) => {
      assert.match(error.message, /^the browser would show a CORS error: OPTIONS .*\/ajax\/subject\/all \(preflight, Origin https:\/\/yongheonn\.com\): 502 from the load balancer, not forum-api \(Server: awselb\/2\.0, no X-Request-Id: its targets are unhealthy or unreachable\): status 502, not 2xx; no Access-Control-Allow-Origin/);
      return true;
    });
    await assert.rejects(loadCanary(target(url)).handler(), /502 from the load balancer/);
  });

  it('When the origin is not one the server allows, then the run fails on the preflight and names the header', async () => {
    await assert.rejects(checkLikeTheBrowser(fetch, target(`http://127.0.0.1:${api.port}`, 'https://elsewhere.example')), /: 20\d from forum-api, request id \S+: no Access-Control-Allow-Origin/);
  });

  it('When nothing listens, then the run fails with the connection error instead of hanging', async () => {
    const port = await closedPort();
    await assert.rejects(checkLikeTheBrowser(fetch, target(`http://127.0.0.1:${port}`)), /: no answer \(ECONNREFUSED: /);
  });
});
