import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAccessTokens } from '../../src/features/auth/access-token.ts';
import { createPostgresSchema, testSecret } from '../helpers/app.ts';
import { artifacts, launchChromium, type Chromium } from '../helpers/chromium.ts';
import { productionEnv, spawnServer, type ServerProcess } from '../helpers/server-process.ts';
import { pageUrl, startPageServer, type PageCall, type PageResult, type PageServer } from './harness/browser-page.ts';
import { stopChild, track } from './harness/children.ts';
import { startHaproxy, type Haproxy } from './harness/haproxy.ts';
import { freePort } from './harness/ports.ts';

describe('A real browser on another origin', () => {
  let allowedPage: PageServer;
  let otherPage: PageServer;
  let server: ServerProcess;
  let dropSchema: () => Promise<void>;
  let healthy: Haproxy;
  let unhealthy: Haproxy;
  let chromium: Chromium;
  let calls: PageCall[];

  before(async () => {
    allowedPage = await startPageServer();
    otherPage = await startPageServer();
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    server = await spawnServer({ ...productionEnv, DATABASE_URL: schema.url, CORS_ORIGINS: allowedPage.origin });
    track(server.child);
    healthy = await startHaproxy({ targets: [{ name: 't1', port: server.port }] });
    // The seed incident's target group again: health checks on `/` at a port nothing listens on.
    unhealthy = await startHaproxy({ checkPath: '/', targets: [{ name: 't1', port: server.port, checkPort: await freePort() }] });
    await Promise.all([healthy.waitForStatus('t1', 'UP'), unhealthy.waitForStatus('t1', 'DOWN')]);

    const token = await createAccessTokens(testSecret).issue({ id: 'browser1', role: 'ROLE_USER_CERT' });
    calls = [
      { label: 'GET /ajax/subject/all', method: 'GET', path: '/ajax/subject/all', token: '' },
      { label: 'POST /ajax/account/ without a token', method: 'POST', path: '/ajax/account/', token: '' },
      { label: 'POST /ajax/account/ with a token', method: 'POST', path: '/ajax/account/', token },
      { label: 'GET /ajax/nothing with a token (404)', method: 'GET', path: '/ajax/nothing', token },
    ];
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await Promise.all([healthy?.stop(), unhealthy?.stop(), allowedPage?.close(), otherPage?.close()]);
    if (server) await stopChild(server.child, 'SIGKILL');
    await dropSchema?.();
  });

  /** Loads the page, waits for its table, saves a screenshot of it, and returns what the page saw. */
  async function runPage(page: PageServer, api: string, name: string) {
    const tab = await chromium.context.newPage();
    const console: string[] = [];
    tab.on('console', (message) => console.push(message.text()));
    await tab.goto(pageUrl(page, api, calls));
    await tab.waitForSelector('body[data-done=yes]', { timeout: 20_000 });
    const results = (await tab.evaluate('window.results')) as PageResult[];
    const screenshot = join(artifacts, `browser-${name}.png`);
    await tab.locator('#results').screenshot({ path: screenshot });
    await tab.close();
    return { results, console, screenshot };
  }

  const outcomes = (results: PageResult[]) => results.map((result) => (result.outcome.startsWith('CORS error') ? 'CORS error' : result.outcome));

  it('When the page origin is allowed, then it sees the real statuses (200, 401, 200, 404) and our X-Request-Id', async (t) => {
    const { results, screenshot } = await runPage(allowedPage, `http://localhost:${server.port}`, 'allowed-origin');
    t.diagnostic(`${allowedPage.origin} → http://localhost:${server.port}: ${outcomes(results).join(', ')} (screenshot ${screenshot})`);
    assert.deepEqual(outcomes(results), ['200', '401', '200', '404']);
    assert.ok(results.every((result) => result.requestId), 'X-Request-Id is exposed to the page');
  });

  it('When the same page goes through the load balancer with healthy targets, then it sees the same statuses', async (t) => {
    const { results } = await runPage(allowedPage, `http://localhost:${healthy.port}`, 'through-load-balancer');
    t.diagnostic(`through the load balancer: ${outcomes(results).join(', ')}`);
    assert.deepEqual(outcomes(results), ['200', '401', '200', '404']);
  });

  it('When the page origin is not allowed, then every call is a CORS error', async (t) => {
    const { results, screenshot } = await runPage(otherPage, `http://localhost:${server.port}`, 'disallowed-origin');
    t.diagnostic(`${otherPage.origin} → http://localhost:${server.port}: ${outcomes(results).join(', ')} (screenshot ${screenshot})`);
    assert.deepEqual(outcomes(results), ['CORS error', 'CORS error', 'CORS error', 'CORS error']);
  });

  it('When every target behind the load balancer is unhealthy, then the allowed page sees only "CORS errors" while the load balancer answered 503: the seed incident', async (t) => {
    const { results, console, screenshot } = await runPage(allowedPage, `http://localhost:${unhealthy.port}`, 'all-targets-unhealthy');
    const direct = await fetch(`http://127.0.0.1:${unhealthy.port}/ajax/subject/all`, { headers: { Origin: allowedPage.origin } });
    const explanation = console.find((line) => line.includes("No 'Access-Control-Allow-Origin' header")) ?? '(no console line)';
    t.diagnostic(`page sees: ${outcomes(results).join(', ')} (screenshot ${screenshot})`);
    t.diagnostic(`the same request outside the browser: ${direct.status} ${direct.headers.get('server')}, Access-Control-Allow-Origin ${direct.headers.get('access-control-allow-origin')}`);
    t.diagnostic(`Chromium console: ${explanation}`);
    assert.deepEqual(outcomes(results), ['CORS error', 'CORS error', 'CORS error', 'CORS error']);
    assert.equal(direct.status, 503);
    assert.equal(direct.headers.get('access-control-allow-origin'), null);
    assert.match(explanation, /blocked by CORS policy/);
  });
});
