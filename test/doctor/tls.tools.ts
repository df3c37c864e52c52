import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { apiHost, createCertificates, type TestCertificates } from './fixtures/certificates.ts';
import { diagnose, statuses, type Diagnosis } from './fixtures/doctor.ts';
import { cloudflareEdge, serveHttps, type CloudflareEdge, type Running } from './fixtures/servers.ts';

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

describe("Doctor through Cloudflare with --origin-host: the ALB's own certificate (made at test time)", () => {
  let certificates: TestCertificates;
  let t: TestApp;
  let edge: CloudflareEdge;
  const albs: Record<string, Running> = {};
  // Cloudflare's edge serves a good certificate for the API's name whatever the ALB's is: the tls lines pass.
  const run = (alb: string) =>
    diagnose(`https://${apiHost}:${edge.port}`, '--resolve', `${apiHost}:127.0.0.1`, '--resolve', 'alb.forum.test:127.0.0.1', '--ca', certificates.caFile, '--origin-host', `alb.forum.test:${albs[alb]!.port}`);

  before(async () => {
    certificates = createCertificates();
    t = await startTestApp('pglite');
    edge = await cloudflareEdge(certificates.valid);
    edge.behave({ errorPage: 526 });
    for (const name of ['valid', 'expired', 'wrongHost'] as const) albs[name] = await serveHttps(t.app, certificates[name]);
  });
  after(async () => {
    for (const server of Object.values(albs)) await server.close();
    await edge.close();
    await t.close();
    certificates.cleanup();
  });

  it("When Cloudflare says 526 and the ALB's certificate has expired, then the edge's tls lines pass, origin.tls fails with the date, and the rest of the ALB is healthy", async () => {
    const diagnosis = await run('expired');
    for (const id of tlsIds) assert.equal(diagnosis.check(id).status, 'pass', `${id}: ${diagnosis.check(id).evidence}`);
    assert.equal(diagnosis.check('cloudflare').status, 'fail');
    const origin = diagnosis.check('origin.tls');
    assert.equal(origin.status, 'fail');
    assert.match(origin.evidence, /^the ALB's certificate for api\.forum\.test: the certificate EXPIRED on .* \(3 days ago\): browsers refuse every request \(Cloudflare shows 526 for this\)$/);
    assert.match(origin.fix ?? '', /renew the certificate/);
    assert.equal(diagnosis.check('origin.health').status, 'pass');
    assert.doesNotMatch(diagnosis.check('origin.cors').evidence, /Cloudflare's side/);
  });

  it("When the ALB's certificate is for another name, then origin.tls names both", async () => {
    const origin = (await run('wrongHost')).check('origin.tls');
    assert.equal(origin.status, 'fail');
    assert.match(origin.evidence, /the certificate is for DNS:other\.forum\.test, not api\.forum\.test/);
  });

  it("When the ALB's certificate is valid for the name, then every origin line passes and the 526 is put on Cloudflare's side", async () => {
    const diagnosis = await run('valid');
    assert.match(diagnosis.check('origin.tls').evidence, /^TLSv1\.[23], the ALB's certificate for api\.forum\.test: valid until .*; api\.forum\.test matches DNS:api\.forum\.test; .*trusted through/);
    for (const id of ['origin.listener', 'origin.tls', 'origin.health', 'origin.cors']) assert.equal(diagnosis.check(id).status, 'pass', `${id}: ${diagnosis.check(id).evidence}`);
    assert.match(diagnosis.check('origin.cors').evidence, /the error in cloudflare is on Cloudflare's side/);
  });
});
