import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { frontOrigin, startTestApp, type TestApp } from '../helpers/app.ts';

const expected = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
};
// Headers that only act on HTML documents: a JSON API has no use for them.
const documentOnly = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'x-powered-by'];

describe('Security headers', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('pglite');
  });
  after(() => t.close());

  const answers = {
    'a route': () => request(t.app).get('/ajax/subject/all').set('Origin', frontOrigin),
    'an error': () => request(t.app).get('/ajax/no/such/route').set('Origin', frontOrigin),
    'a refused token': () => request(t.app).post('/ajax/account/').set('Authorization', 'garbage'),
  };
  for (const [kind, send] of Object.entries(answers)) {
    it(`When ${kind} is answered, then it carries the JSON API's security headers and none of the HTML-only ones`, async () => {
      const res = await send();
      for (const [name, value] of Object.entries(expected)) assert.equal(res.headers[name], value, name);
      for (const name of documentOnly) assert.equal(res.headers[name], undefined, name);
    });
  }
});
