import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

// What the Chromium test (api-reference.browser.ts, npm run test:browser) relies on, checked without a browser.
const swaggerUi = (name: string) => readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${name}`));
const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' };

describe('The API reference page', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  it('When /ajax/docs/ is opened, then an HTML page loads Swagger UI and its start script from this server only, under a CSP of its own', async () => {
    const res = await request(t.app).get('/ajax/docs/');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/html/);
    const csp = res.headers['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(res.text, /https?:\/\//, 'nothing from a CDN');
    assert.doesNotMatch(res.text, /<script>/, 'no inline script (the CSP would refuse it)');
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'start.js']) assert.ok(res.text.includes(`"${file}"`), file);
  });

  it("When the page's files are fetched, then they are Swagger UI's own from node_modules and a start script that reads /ajax/openapi.json", async () => {
    for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const res = await request(t.app).get(`/ajax/docs/${name}`).buffer(true).parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
      assert.equal(res.status, 200, name);
      assert.ok((res.body as Buffer).equals(swaggerUi(name)), name);
    }
    const start = await request(t.app).get('/ajax/docs/start.js');
    assert.match(start.headers['content-type'] ?? '', /javascript/);
    assert.match(start.text, /"\/ajax\/openapi\.json"/);
    assert.match(start.text, /preauthorizeApiKey\('accessToken'/);
  });

  it('When /ajax/docs is asked without its slash, then it redirects to the page; other names under it are not served', async () => {
    const res = await request(t.app).get('/ajax/docs');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/ajax/docs/');
    for (const path of ['/ajax/docs/index.html', '/ajax/docs/swagger-initializer.js', '/ajax/docs/../package.json']) {
      assert.notEqual((await request(t.app).get(path)).status, 200, path);
    }
  });

  it("When an API route answers, then it keeps the API's strict headers, not the page's", async () => {
    for (const path of ['/ajax/openapi.json', '/ajax/subject/all', '/ajax/nothing']) {
      const res = await request(t.app).get(path);
      assert.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'", path);
      assert.equal(res.headers['cross-origin-resource-policy'], 'same-site', path);
    }
  });
});

describe('The API reference page in production', () => {
  it('When NODE_ENV is production, then the page is off unless API_DOCS=true, and / points at it only when on', async () => {
    const off = await startTestApp('postgres', { env: production });
    const on = await startTestApp('postgres', { env: { ...production, API_DOCS: 'true' } });
    try {
      assert.notEqual((await request(off.app).get('/ajax/docs/')).status, 200);
      assert.equal(JSON.parse((await request(off.app).get('/')).text).docs, undefined);
      assert.equal((await request(on.app).get('/ajax/docs/')).status, 200);
      assert.equal(JSON.parse((await request(on.app).get('/')).text).docs, '/ajax/docs/');
    } finally {
      await Promise.all([off.close(), on.close()]);
    }
  });
});
