import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { diagnose, runDoctorCommand, statuses } from './fixtures/doctor.ts';
import { closedPort, corsForgettingServer, type Running } from './fixtures/servers.ts';

describe('Doctor against a server that forgets CORS on its errors', () => {
  let server: Running;
  before(async () => {
    server = await corsForgettingServer();
  });
  after(() => server.close());

  it('When its 404 and 401 carry no CORS headers, then cors.error.404 and cors.error.401 fail and the successful paths pass', async () => {
    const diagnosis = await diagnose(`http://127.0.0.1:${server.port}`);
    const actual = statuses(diagnosis);
    for (const id of ['health.live', 'health.ready', 'cors.preflight.get', 'cors.preflight.post', 'cors.get', 'subjects']) assert.equal(actual[id], 'pass', `${id}: ${diagnosis.check(id).evidence}`);
    for (const [id, status] of [['cors.error.404', 404], ['cors.error.401', 401]] as const) {
      const check = diagnosis.check(id);
      assert.equal(check.status, 'fail', id);
      assert.match(check.evidence, new RegExp(`^${status} in \\d+ ms \\(request id [\\w-]+\\): no Access-Control-Allow-Origin; no Access-Control-Allow-Credentials: true; no Vary: Origin$`));
      assert.match(check.fix ?? '', new RegExp(`error responses must carry the CORS headers too, or the browser shows a "CORS error" instead of the ${status}`));
    }
  });

  it("When it keeps Node's default 5 s keep-alive, then keepalive fails against the ALB's 60 s idle timeout", async () => {
    const check = (await diagnose(`http://127.0.0.1:${server.port}`)).check('keepalive');
    assert.equal(check.status, 'fail');
    assert.match(check.evidence, /closes idle connections after 5 s, before the ALB's 60 s idle timeout/);
    assert.match(check.fix ?? '', /KEEP_ALIVE_TIMEOUT_MS above 60000/);
  });
});

describe('Doctor against a port where nothing listens', () => {
  it('When the connection is refused, then tcp fails, the API checks are skipped and the command exits 1', async () => {
    const port = await closedPort();
    const { code, stdout } = await runDoctorCommand([`http://127.0.0.1:${port}`, '--json']);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { verdict: string; checks: Array<{ id: string; status: string; evidence: string; fix: string | null }> };
    const tcp = report.checks.find((check) => check.id === 'tcp');
    assert.equal(tcp?.status, 'fail');
    assert.equal(tcp?.evidence, `connection refused by 127.0.0.1:${port}: nothing listens on that port`);
    assert.match(tcp?.fix ?? '', /start the server, or use the port it listens on \(PORT; the target group uses 8080\)/);
    const after = report.checks.slice(report.checks.indexOf(tcp!) + 1);
    assert.deepEqual(new Set(after.map((check) => check.status)), new Set(['skip']));
    // target.health and origin.* reach other addresses than the API's, so tcp does not gate them.
    assert.ok(after.filter((check) => check.id !== 'target.health' && !check.id.startsWith('origin.')).every((check) => check.evidence === 'not run: tcp failed'));
    assert.equal(report.verdict, 'fail');
  });
});

describe('Doctor against a server that accepts connections and never answers', () => {
  it('When nothing comes back, then every HTTP check fails within its timeout instead of hanging', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = performance.now();
      const diagnosis = await diagnose(`http://127.0.0.1:${port}`, '--timeout', '300');
      assert.ok(performance.now() - started < 10_000, 'bounded by the timeouts');
      assert.equal(diagnosis.check('tcp').status, 'pass');
      for (const id of ['health.live', 'health.ready', 'cors.preflight.get', 'cors.get', 'subjects']) {
        assert.equal(diagnosis.check(id).status, 'fail', id);
        assert.match(diagnosis.check(id).evidence, /: no answer \(ETIMEDOUT: no answer within 300 ms\)$/, id);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
