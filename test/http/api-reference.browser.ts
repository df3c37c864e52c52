import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { artifacts, launchChromium, type Chromium } from '../helpers/chromium.ts';
import { listen } from '../helpers/raw-http.ts';

/** Opens an operation of the page (Swagger UI's id: operations-<tag>-<operationId>), runs it, and answers the status shown. */
async function tryOut(page: Page, id: string, path: string): Promise<{ shown: string; sentAuthorization: string | undefined }> {
  const operation = page.locator(`#operations-${id}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('button.try-out__btn').click();
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => new URL(candidate.url()).pathname === path),
    operation.locator('button.execute').click(),
  ]);
  const shown = (await operation.locator('.live-responses-table tbody .response-col_status').first().textContent())?.trim() ?? '';
  return { shown, sentAuthorization: response.request().headers().authorization };
}

describe('The API reference page in a real browser', () => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof listen>>;
  let chromium: Chromium;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    t = await startTestApp('pglite');
    api = await listen(t.app);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(`http://127.0.0.1:${api.port}/`)) problems.push(`request elsewhere: ${request.url()}`);
    });
  });
  after(async () => {
    await chromium?.close();
    await api?.close();
    await t?.close();
  });

  it('When a newcomer opens /ajax/docs/, gets a guest token there and tries a protected route, then the call is authenticated and answers 200', async (context) => {
    await page.goto(`http://127.0.0.1:${api.port}/ajax/docs/`);
    await page.locator('#operations-auth-getAjaxLoginGuest').waitFor({ timeout: 20_000 });

    const guest = await tryOut(page, 'auth-getAjaxLoginGuest', '/ajax/login/guest');
    assert.equal(guest.shown, '200');
    const account = await tryOut(page, 'accounts-postAjaxAccount', '/ajax/account/');
    assert.equal(account.shown, '200', 'the protected call was answered 200');
    assert.ok(account.sentAuthorization, 'the page sent the guest token with the protected call');
    const verification = await t.accessTokens.verify(account.sentAuthorization);
    assert.ok(verification.kind === 'valid', 'the token the page sent is one the server signed');
    const guestId = verification.user.id;
    assert.match(guestId, /^guest_[a-z0-9]+$/, 'each guest login is a guest of its own');
    await assert.doesNotReject(page.locator('#operations-accounts-postAjaxAccount .live-responses-table').getByText(`"id": "${guestId}"`).waitFor({ timeout: 5000 }));

    const screenshot = join(artifacts, 'api-reference.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    context.diagnostic(`guest login ${guest.shown}, POST /ajax/account/ with the page's token ${account.shown} (screenshot ${screenshot})`);
    assert.deepEqual(problems, [], 'no CSP violation, script error, failed request or request to another origin');
  });
});
