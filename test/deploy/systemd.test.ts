import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { albContract } from '../../deploy/alb-contract.ts';
import { trustProxyBehindCloudflare } from '../../deploy/cdk/cloudflare-ingress.ts';
import { imageMallocTunables, imageNodeFlags } from '../../bench/lib/processes.ts';
import { loadConfig } from '../../src/config.ts';
import { testSecret } from '../helpers/app.ts';

const unitText = readFileSync(new URL('../../deploy/forum-api.service', import.meta.url), 'utf8');

/** Every value of a [Service] (or other) key, in order; systemd allows a key more than once. */
function values(key: string): string[] {
  return [...unitText.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1]!.trim());
}
const value = (key: string) => {
  const all = values(key);
  assert.equal(all.length, 1, `${key} is set once`);
  return all[0]!;
};
const environment = () => Object.fromEntries(values('Environment').map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));

describe('The systemd unit (deploy/forum-api.service)', () => {
  it('When the service stops, then systemd waits longer than the app drains and shuts down (TimeoutStopSec > drain + shutdown timeout)', () => {
    const { server } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: testSecret, SMTP_URL: 'smtp://mail.internal:587', ...environment() });
    const appNeedsSeconds = (server.shutdownDrainMs + server.shutdownTimeoutMs) / 1000;
    const timeoutStopSec = Number(value('TimeoutStopSec'));
    assert.ok(timeoutStopSec > appNeedsSeconds, `TimeoutStopSec=${timeoutStopSec} must exceed ${appNeedsSeconds} s`);
    assert.equal(value('KillSignal'), 'SIGTERM');
  });

  it('When started, then Node gets the same memory flags and malloc settings as the Docker image (the benchmark measures those)', () => {
    const flags = value('ExecStart').split(' ').slice(1, -1);
    assert.deepEqual(flags, imageNodeFlags());
    assert.equal(environment().GLIBC_TUNABLES, imageMallocTunables().GLIBC_TUNABLES);
  });

  it('When started, then it runs the built server with Node directly (not npm), in production, on the target group port', () => {
    assert.match(value('ExecStart'), /^\/\S+\/bin\/node (--\S+ )*\/\S+\/dist\/server\.js$/);
    assert.doesNotMatch(value('ExecStart'), /\bnpm\b/);
    assert.equal(environment().NODE_ENV, 'production');
    assert.equal(environment().PORT, String(albContract.targetPort));
    assert.ok(value('EnvironmentFile').startsWith('/etc/'));
    assert.equal(value('Restart'), 'on-failure');
  });

  it('When it runs behind Cloudflare and the ALB, then it trusts exactly the proxies the CDK stack tells the instances to trust', () => {
    assert.equal(environment().TRUST_PROXY, trustProxyBehindCloudflare);
    assert.deepEqual(loadConfig({ TRUST_PROXY: environment().TRUST_PROXY }).trustProxy, { proxies: ['uniquelocal', 'cloudflare'] });
  });

  it('When sandboxed, then it runs unprivileged, writes only its data directory and keeps what Node needs', () => {
    assert.notEqual(value('User'), 'root');
    assert.equal(value('NoNewPrivileges'), 'yes');
    assert.equal(value('ProtectSystem'), 'strict');
    assert.equal(value('ReadWritePaths'), environment().DATA_DIR);
    for (const key of ['ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectControlGroups', 'RestrictSUIDSGID', 'LockPersonality']) {
      assert.equal(value(key), 'yes', key);
    }
    assert.equal(value('CapabilityBoundingSet'), '');
    // V8 compiles to memory that is writable and executable: this option would kill Node at start.
    assert.deepEqual(values('MemoryDenyWriteExecute'), []);
  });
});
