import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { loadConfig } from '../../src/config.ts';
import { applyTrustProxy } from '../../src/http/client-address.ts';
import { cloudflareRanges } from '../../src/http/cloudflare-ranges.ts';
import { clientKey } from '../../src/http/rate-limit.ts';
import { frontOrigin, memoryLogger, startTestApp, type TestApp } from '../helpers/app.ts';

/** A bare app with the server's own trust-proxy handling that echoes the address rate limits count against. */
function echoApp(trustProxy: string | undefined) {
  const { logger, lines } = memoryLogger();
  const app = express();
  app.use(applyTrustProxy(app, loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }).trustProxy, logger));
  app.get('/ip', (req, res) => void res.json({ ip: req.ip, key: clientKey(req) }));
  const ipFor = async (forwardedFor?: string) => {
    const test = request(app).get('/ip');
    const res = await (forwardedFor === undefined ? test : test.set('X-Forwarded-For', forwardedFor));
    return (res.body as { ip: string }).ip;
  };
  return { ipFor, lines };
}

const edge = '173.245.48.7'; // inside Cloudflare's 173.245.48.0/20
const visitor = '198.51.100.23';

describe('Client addresses: X-Forwarded-For is believed only from declared proxies', () => {
  it('When TRUST_PROXY is unset, then a forged X-Forwarded-For is ignored: the address is the TCP peer', async () => {
    const { ipFor } = echoApp(undefined);
    assert.match(await ipFor('203.0.113.1'), /127\.0\.0\.1$/);
    assert.match(await ipFor('203.0.113.2, 203.0.113.3'), /127\.0\.0\.1$/);
  });

  it('When TRUST_PROXY=1 (the ALB alone), then only the entry the ALB appended counts: forging entries to its left changes nothing', async () => {
    const { ipFor } = echoApp('1');
    assert.equal(await ipFor(`1.2.3.4, ${visitor}`), visitor);
    assert.equal(await ipFor(`5.6.7.8, ${visitor}`), visitor);
  });

  it('When Cloudflare is in front of the ALB (loopback stands in for the ALB), then the address is the visitor, not the edge', async () => {
    const { ipFor } = echoApp('loopback,cloudflare');
    assert.equal(await ipFor(`${visitor}, ${edge}`), visitor);
    assert.equal(await ipFor(`203.0.113.50, ${edge}`), '203.0.113.50', 'two visitors behind one edge stay two');
    assert.equal(await ipFor(`6.6.6.6, ${visitor}, ${edge}`), visitor, 'what the visitor wrote to the left is ignored');
    assert.equal(await ipFor(`${cloudflareRanges.ipv4[1]!.split('/')[0]}, ${visitor}, ${edge}`), visitor, 'a forged Cloudflare address does not help');
    assert.equal(await ipFor(`${visitor}, 203.0.113.99`), '203.0.113.99', 'a request that reached the ALB around Cloudflare is keyed on its real sender');
    assert.equal(await ipFor(`2606:4700::1`), '2606:4700::1', 'only proxies are skipped: an edge alone is itself the last address');
  });

  it('When the real app starts with the defaults, then it logs that no proxy is trusted, and a fresh forged X-Forwarded-For per request does not escape a rate limit', async () => {
    let t: TestApp | undefined;
    try {
      const { logger, lines } = memoryLogger();
      t = await startTestApp('pglite', { env: { TRUST_PROXY: '' }, logger });
      assert.match(String(lines.find((line) => line.msg === 'client addresses')?.trustProxy), /^no proxy trusted/);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11; attempt += 1) {
        const res = await request(t.app).get(`/ajax/board/read-secret?bno=1&pw=abc123`).set('Origin', frontOrigin).set('X-Forwarded-For', `203.0.113.${attempt + 1}`);
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 10).filter((status) => status === 429), []);
      assert.equal(statuses[10], 429, `${statuses}`);
    } finally {
      await t?.close();
    }
  });

  it('When requests carry an X-Forwarded-For that is ignored, then one warning says so per window, with the count; trusted ones do not warn', async () => {
    const ignored = echoApp(undefined);
    for (const last of [1, 2, 3]) await ignored.ipFor(`203.0.113.${last}`);
    await ignored.ipFor();
    const warnings = ignored.lines.filter((line) => line.level === 'warn');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.msg, /X-Forwarded-For ignored.*set TRUST_PROXY/);
    assert.equal(warnings[0]!.ignoredRequests, 1);
    assert.equal(ignored.lines.find((line) => line.msg === 'client addresses')?.trustProxy, 'no proxy trusted: the client address is the TCP peer and X-Forwarded-For is ignored');

    const trusted = echoApp('loopback,cloudflare');
    await trusted.ipFor(`${visitor}, ${edge}`);
    assert.deepEqual(trusted.lines.filter((line) => line.level === 'warn'), []);
    assert.match(String(trusted.lines.find((line) => line.msg === 'client addresses')?.trustProxy), /loopback, cloudflare \(its 22 published ranges, checked \d{4}-\d\d-\d\d\)/);
  });
});

describe('TRUST_PROXY values', () => {
  it('When TRUST_PROXY is "true", then it is refused: it would believe any client', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY: "true" would believe any X-Forwarded-For/);
  });

  it('When TRUST_PROXY has an entry that is neither an address, a subnet nor a known name, then it is refused naming the entry', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/33, cloudfare' }), /TRUST_PROXY: not an address.*10\.0\.0\.0\/33, cloudfare/);
  });
});
