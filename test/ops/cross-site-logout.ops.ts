import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createPostgresSchema, databaseKinds } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { spawnServer, type ServerProcess } from '../helpers/server-process.ts';
import { stopChild, track } from './harness/children.ts';

const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Headless Chromium with the front end on http://localhost:<port> (same site as the API on another localhost
 * port, so the refresh cookie is first-party as in production) and an attacker's page on http://127.0.0.1,
 * another site. The front end's calls are made with fetch from its page, exactly as the original does
 * them (forum-api.md §4.2: credentials included, JSON content type, the stored token or '').
 */
for (const kind of databaseKinds) {
  describe(`A cross-site form against the cookie routes, in Chromium, on ${kind}`, () => {
    let server: ServerProcess;
    let dropSchema: (() => Promise<void>) | undefined;
    let frontPage: Awaited<ReturnType<typeof listen>>;
    let attackerPage: Awaited<ReturnType<typeof listen>>;
    let userDataDir: string;
    let browser: BrowserContext;
    let front: Page;
    let api: string;

    before(async () => {
      frontPage = await listen((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<!doctype html><title>front end</title>');
      });
      const frontOrigin = `http://localhost:${frontPage.port}`;
      const schema = kind === 'postgres' ? await createPostgresSchema() : undefined;
      dropSchema = schema?.drop;
      server = await spawnServer({ CORS_ORIGINS: frontOrigin, ...(schema ? { DATABASE_URL: schema.url } : {}) });
      track(server.child);
      api = `http://localhost:${server.port}`;
      // The attacker's page submits a form to logout as soon as it loads: text/plain needs no preflight.
      attackerPage = await listen((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<!doctype html><form method="post" action="${api}/ajax/logout/" enctype="text/plain"><input name="a" value="b"></form><script>document.forms[0].submit()</script>`);
      });
      userDataDir = await mkdtemp(join(tmpdir(), 'forum-ops-chromium-'));
      browser = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', headless: true, args: chromiumFlags });
      front = await browser.newPage();
      await front.goto(`${frontOrigin}/`);
    });
    after(async () => {
      await browser?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
      await Promise.all([frontPage?.close(), attackerPage?.close()]);
      if (server) await stopChild(server.child, 'SIGKILL');
      await dropSchema?.();
    });

    /** One fetch of the front end from its own page: the status it sees, and the new token when there is one. */
    const frontEndCall = (method: string, path: string, token = '') =>
      front.evaluate(
        async ({ url, method, token }) => {
          const res = await fetch(url, {
            method,
            credentials: 'include',
            headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: token },
            ...(method === 'POST' ? { body: '' } : {}),
          });
          await res.text();
          return { status: res.status, token: res.headers.get('Authorization') };
        },
        { url: `${api}${path}`, method, token },
      );

    it('When the visitor signs in as a guest, then the refresh cookie works from the front end', async () => {
      const login = await frontEndCall('GET', '/ajax/login/guest');
      assert.equal(login.status, 200);
      assert.ok(login.token, 'the page can read the access token');
      const refresh = await frontEndCall('POST', '/ajax/auth/refresh', login.token!);
      assert.equal(refresh.status, 200);
    });

    it("When another site's page submits a form to /ajax/logout/, then the server refuses it (403) and the visitor stays signed in", async (t) => {
      const attack = await browser.newPage();
      const answered = attack.waitForResponse((res) => res.url().startsWith(`${api}/ajax/logout`));
      await attack.goto(`http://127.0.0.1:${attackerPage.port}/`);
      const res = await answered;
      t.diagnostic(`the cross-site form got ${res.status()} ${await res.text()}`);
      assert.equal(res.status(), 403);
      assert.equal(res.request().headers().origin, `http://127.0.0.1:${attackerPage.port}`, 'Chromium named the attacking site');
      await attack.close();
      assert.equal((await frontEndCall('POST', '/ajax/auth/refresh')).status, 200, 'the session survived');
    });

    it('When the visitor logs out from the front end, then 200 and the next refresh is 401', async () => {
      assert.equal((await frontEndCall('POST', '/ajax/logout/')).status, 200);
      assert.equal((await frontEndCall('POST', '/ajax/auth/refresh')).status, 401);
    });
  });
}
