import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { apiHost, createCertificates, type TestCertificates } from './fixtures/certificates.ts';
import { diagnose, statuses, type Diagnosis } from './fixtures/doctor.ts';
import { serveHttps, type Running } from './fixtures/servers.ts';

const tlsIds = ['tls.handshake', 'tls.validity', 'tls.hostname', 'tls.chain'];
const apiIds = ['health.live', 'health.ready', 'cors.preflight.get', 'cors.preflight.post', 'cors.get', 'cors.error.404', 'cors.error.401', 'subjects', 'keepalive'];

/** Every listed check has this status, the others are as `rest` says. */
function assertOnly(diagnosis: Diagnosis, expected: Record<string, string>) {
  const actual = statuses(diagnosis);
  for (const id of [...tlsIds, ...apiIds]) assert.equal(actual[id], expected[id] ?? 'pass', `${id}: ${diagnosis.check(id).evidence}`);
}

describe('Doctor against our app over TLS (certificates made at test time, name resolved with --resolve)', () => {
  let certificates: TestCertificates;
  let t: TestApp;
  const servers: Record<string, Running> = {};
  const urlOf = (name: string) => `https://${apiHost}:${servers[name]!.port}`;
  const withCa = (name: string) => [urlOf(name), '--resolve', `${apiHost}:127.0.0.1`, '--ca', certificates.caFile];

  before(async () => {
    certificates = createCertificates();
    t = await startTestApp('pglite');
    for (const name of ['valid', 'expired', 'expiringSoon', 'wrongHost'] as const) servers[name] = await serveHttps(t.app, certificates[name]);
  });
  after(async () => {
    for (const server of Object.values(servers)) await server.close();
    await t.close();
    certificates.cleanup();
  });

  it('When the certificate is valid, for the host, from a trusted CA, then every TLS and API check passes', async () => {
    const diagnosis = await diagnose(...withCa('valid'));
    assertOnly(diagnosis, {});
    assert.match(diagnosis.check('dns').evidence, /api\.forum\.test → 127\.0\.0\.1 \(from --resolve/);
    assert.match(diagnosis.check('tls.handshake').evidence, /^TLSv1\.[23] /);
    assert.match(diagnosis.check('tls.validity').evidence, /valid until .* \(90 days left\)/);
    assert.match(diagnosis.check('tls.hostname').evidence, /api\.forum\.test matches DNS:api\.forum\.test/);
    assert.match(diagnosis.check('tls.chain').evidence, /trusted through CN=forum-api doctor test CA/);
    assert.equal(diagnosis.report.verdict, 'pass');
  });

  it('When the certificate has expired, then tls.validity fails with its own message and the rest still reports what is behind it', async () => {
    const diagnosis = await diagnose(...withCa('expired'));
    assertOnly(diagnosis, { 'tls.validity': 'fail' });
    const validity = diagnosis.check('tls.validity');
    assert.match(validity.evidence, /^the certificate EXPIRED on \d{4}-\d\d-\d\dT[\d:]+Z \(3 days ago\): browsers refuse every request$/);
    assert.match(validity.fix ?? '', /renew the certificate/);
    assert.equal(diagnosis.report.verdict, 'fail');
  });

  it('When the certificate expires in 10 days, then tls.validity warns (under 21 days) and the verdict is warn', async () => {
    const diagnosis = await diagnose(...withCa('expiringSoon'));
    assertOnly(diagnosis, { 'tls.validity': 'warn' });
    assert.match(diagnosis.check('tls.validity').evidence, /\(10 days left\)/);
    assert.equal(diagnosis.report.verdict, 'warn');
  });

  it('When the certificate is for another name, then tls.hostname fails and names both', async () => {
    const diagnosis = await diagnose(...withCa('wrongHost'));
    assertOnly(diagnosis, { 'tls.hostname': 'fail' });
    assert.match(diagnosis.check('tls.hostname').evidence, /^the certificate is for DNS:other\.forum\.test, not api\.forum\.test/);
  });

  it('When the issuing CA is not trusted (no --ca), then tls.chain fails and says who issued it', async () => {
    const diagnosis = await diagnose(urlOf('valid'), '--resolve', `${apiHost}:127.0.0.1`);
    assertOnly(diagnosis, { 'tls.chain': 'fail' });
    assert.match(diagnosis.check('tls.chain').evidence, /issued by CN=forum-api doctor test CA, which the server does not send and this machine does not trust/);
  });

  it('When the port speaks plain http, then the handshake fails and the API checks are not run', async () => {
    const plain = await listen(t.app);
    try {
      const diagnosis = await diagnose(`https://${apiHost}:${plain.port}`, '--resolve', `${apiHost}:127.0.0.1`);
      assert.equal(diagnosis.check('tls.handshake').status, 'fail');
      assert.match(diagnosis.check('tls.handshake').evidence, /^TLS handshake failed/);
      for (const id of apiIds) assert.deepEqual([diagnosis.check(id).status, diagnosis.check(id).evidence], ['skip', 'not run: tls.handshake failed'], id);
    } finally {
      await plain.close();
    }
  });
});
