import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { albContract, appDefaults, readinessPath } from '../../deploy/alb-contract.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseKinds, startTestApp, testSecret, type TestApp } from '../helpers/app.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const production = () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: testSecret, SMTP_URL: 'smtp://mail.internal:587' });

describe('The ALB contract and the app agree', () => {
  it('When the app starts in production with no overrides, then it listens on the target group port', () => {
    assert.equal(production().port, albContract.targetPort);
    assert.equal(appDefaults.port, albContract.targetPort);
  });

  it('When the ALB keeps an idle connection, then the app keeps it longer (keep-alive > idle timeout), and headers longer still', () => {
    const { server } = production();
    assert.ok(server.keepAliveTimeoutMs > albContract.idleTimeoutSeconds * 1000, `keep-alive ${server.keepAliveTimeoutMs} ms`);
    assert.ok(server.headersTimeoutMs > server.keepAliveTimeoutMs, `headers ${server.headersTimeoutMs} ms`);
  });

  it('When the server drains after SIGTERM, then the drain outlasts the ALB noticing (unhealthy threshold × interval)', () => {
    const noticedAfterMs = albContract.unhealthyThresholdCount * albContract.healthCheckIntervalSeconds * 1000;
    assert.ok(production().server.shutdownDrainMs >= noticedAfterMs, `drain ${production().server.shutdownDrainMs} ms < ${noticedAfterMs} ms`);
  });

  it('When AWS validates the health check, then its timeout is shorter than its interval', () => {
    assert.ok(albContract.healthCheckTimeoutSeconds < albContract.healthCheckIntervalSeconds);
  });

  it('When the Docker image and .env.example describe the port, health path and timeouts, then they use the contract values', () => {
    const dockerfile = read('Dockerfile');
    assert.match(dockerfile, new RegExp(`^EXPOSE ${albContract.targetPort}$`, 'm'));
    assert.match(dockerfile, new RegExp(`PORT=${albContract.targetPort}\\b`));
    assert.match(dockerfile, new RegExp(`--interval=${albContract.healthCheckIntervalSeconds}s --timeout=${albContract.healthCheckTimeoutSeconds}s`));
    assert.ok(dockerfile.includes(`'${albContract.healthCheckPath}'`), 'the HEALTHCHECK probes the contract health path');
    const example = read('.env.example');
    assert.match(example, new RegExp(`^PORT=${albContract.targetPort}$`, 'm'));
    assert.match(example, new RegExp(`^KEEP_ALIVE_TIMEOUT_MS=${appDefaults.keepAliveTimeoutMs}$`, 'm'));
    assert.match(example, new RegExp(`^HEADERS_TIMEOUT_MS=${appDefaults.headersTimeoutMs}$`, 'm'));
  });
});

for (const kind of databaseKinds) {
  describe(`The contract health path on the real app (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(kind);
    });
    after(() => t.close());

    it(`When the ALB probes ${albContract.healthCheckPath} as it does, then the app answers the matcher's ${albContract.healthyHttpCodes}`, async () => {
      const res = await request(t.app).get(albContract.healthCheckPath).set({ 'User-Agent': 'ELB-HealthChecker/2.0', Host: `10.0.3.7:${albContract.targetPort}` });
      assert.equal(String(res.status), albContract.healthyHttpCodes);
      assert.equal(JSON.parse(res.text).status, 'pass');
    });

    it(`When ${readinessPath} is asked with the database up, then it answers 200`, async () => {
      assert.equal((await request(t.app).get(readinessPath)).status, 200);
    });
  });
}
