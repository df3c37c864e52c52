import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkIds } from '../../src/doctor/run.ts';
import { spawnServer, type ServerProcess } from '../helpers/server-process.ts';
import { diagnose, runDoctorCommand, statuses } from './fixtures/doctor.ts';

describe('Doctor against our real server', () => {
  let server: ServerProcess;
  let url: string;
  before(async () => {
    server = await spawnServer();
    url = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.kill('SIGKILL'));

  it('When the server is probed directly and as the ALB would, then every check passes and TLS is skipped (plain http on loopback)', async () => {
    const diagnosis = await diagnose(url, '--target', `127.0.0.1:${server.port}`);
    assert.deepEqual(statuses(diagnosis), {
      dns: 'pass',
      tcp: 'pass',
      'tls.handshake': 'skip',
      'tls.validity': 'skip',
      'tls.hostname': 'skip',
      'tls.chain': 'skip',
      cloudflare: 'skip',
      'health.live': 'pass',
      'health.ready': 'pass',
      'cors.preflight.get': 'pass',
      'cors.preflight.post': 'pass',
      'cors.get': 'pass',
      'cors.error.404': 'pass',
      'cors.error.401': 'pass',
      subjects: 'pass',
      keepalive: 'pass',
      'target.health': 'pass',
      'origin.listener': 'skip',
      'origin.tls': 'skip',
      'origin.health': 'skip',
      'origin.cors': 'skip',
    });
    assert.equal(diagnosis.report.verdict, 'pass');
    assert.match(diagnosis.check('keepalive').evidence, /keeps idle connections 65 s, longer than the ALB's 60 s/);
    assert.match(diagnosis.check('cors.error.401').evidence, /^401 .*Access-Control-Allow-Origin https:\/\/yongheonn\.com/);
    assert.match(diagnosis.check('cors.error.404').evidence, /^404 /);
    assert.match(diagnosis.check('subjects').evidence, /a JSON array of \d+ subjects?/);
  });

  it('When the origin is not an allowed one, then the CORS checks fail and name CORS_ORIGINS', async () => {
    const diagnosis = await diagnose(url, '--origin', 'https://elsewhere.example');
    for (const id of ['cors.preflight.get', 'cors.preflight.post', 'cors.get', 'cors.error.404', 'cors.error.401']) {
      assert.equal(diagnosis.check(id).status, 'fail', id);
      assert.match(diagnosis.check(id).evidence, /no Access-Control-Allow-Origin/, id);
    }
    assert.match(diagnosis.check('cors.get').fix ?? '', /add https:\/\/elsewhere\.example to CORS_ORIGINS/);
    assert.equal(diagnosis.check('subjects').status, 'pass');
  });

  it('When an https page would call the API over plain http on a real host name, then tls.handshake warns of mixed content', async () => {
    const diagnosis = await diagnose(`http://api.forum.test:${server.port}`, '--resolve', 'api.forum.test:127.0.0.1');
    const handshake = diagnosis.check('tls.handshake');
    assert.equal(handshake.status, 'warn');
    assert.equal(handshake.evidence, 'plain http: a page on https://yongheonn.com cannot call it (browsers block mixed content)');
    assert.equal(diagnosis.check('health.live').status, 'pass');
    assert.equal(diagnosis.report.verdict, 'warn');
  });

  it('When run as a command with --json, then it exits 0 and prints the documented shape', async () => {
    const { code, stdout } = await runDoctorCommand([url, '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual(Object.keys(report), ['schema', 'url', 'origin', 'target', 'startedAt', 'durationMs', 'verdict', 'counts', 'checks']);
    assert.equal(report.schema, 'forum-api-doctor/1');
    assert.equal(report.target, null);
    assert.deepEqual(Object.keys(report.counts), ['pass', 'warn', 'fail', 'skip']);
    assert.deepEqual(report.checks.map((check: { id: string }) => check.id), checkIds);
    for (const check of report.checks) assert.deepEqual(Object.keys(check), ['id', 'status', 'evidence', 'fix', 'durationMs']);
  });

  it('When its output goes to a pipe, then the table has one row per check, a verdict and no colour codes', async () => {
    const { code, stdout } = await runDoctorCommand([url]);
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /\x1b\[/);
    for (const id of checkIds) assert.match(stdout, new RegExp(`^(PASS|SKIP)  ${id.replace('.', '\\.')} `, 'm'), id);
    assert.match(stdout, /^verdict: PASS \(0 failed, 0 warnings, 11 passed, 10 skipped\)/m);
  });

  it('When the command line is wrong, then it exits 2 with the usage', async () => {
    const { code, stderr } = await runDoctorCommand(['ftp://example.com']);
    assert.equal(code, 2);
    assert.match(stderr, /not an http\(s\) URL/);
    assert.match(stderr, /Usage: forum-api-doctor/);
  });
});
