import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { runServerToExit } from './helpers/server-process.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a configuration error');
};

describe('Configuration', () => {
  it('When nothing is set, then the defaults are port 8080, the embedded database and ALB-safe timeouts', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.database.embedded, true);
    assert.equal(config.database.dataDir, './data');
    assert.deepEqual(config.corsOrigins, ['https://yongheonn.com']);
    assert.equal(config.trustProxy, 1);
    assert.equal(config.server.keepAliveTimeoutMs, 65_000);
    assert.equal(config.server.headersTimeoutMs, 66_000);
    assert.equal(config.jwt.generatedSecret, true);
  });

  it('When NODE_ENV is production, then the drain outlasts the ALB unhealthy threshold (2 × 10 s)', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://mail.internal:587' });
    assert.ok(config.server.shutdownDrainMs >= 20_000);
  });

  it('When CORS_ORIGINS is "*", then it is refused because credentials are allowed', () => {
    assert.match(problemsOf({ CORS_ORIGINS: '*' }).join('\n'), /CORS_ORIGINS.*credentials/);
  });

  it('When CORS_ORIGINS lists several origins, then each is kept', () => {
    assert.deepEqual(loadConfig({ CORS_ORIGINS: 'https://yongheonn.com, https://www.yongheonn.com' }).corsOrigins, [
      'https://yongheonn.com',
      'https://www.yongheonn.com',
    ]);
  });

  it('When production has no JWT_SECRET, then start-up is refused', () => {
    assert.match(problemsOf({ NODE_ENV: 'production' }).join('\n'), /JWT_SECRET: is required in production/);
  });

  it('When JWT_SECRET is shorter than 32 bytes, then it is refused without echoing the secret', () => {
    const text = problemsOf({ JWT_SECRET: 'short-secret' }).join('\n');
    assert.match(text, /JWT_SECRET: must be at least 32 bytes/);
    assert.ok(!text.includes('short-secret'));
  });

  it('When several values are wrong, then there is one readable line per problem', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', KEEP_ALIVE_TIMEOUT_MS: '70000' });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(problems.some((line) => line.startsWith('PORT:')));
    assert.ok(problems.some((line) => line.startsWith('LOG_LEVEL:')));
    assert.ok(problems.some((line) => line.startsWith('DATABASE_URL:')));
    assert.ok(problems.some((line) => line.startsWith('HEADERS_TIMEOUT_MS:')));
  });

  it('When TRUST_PROXY names addresses, then they are passed on as a list', () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy, ['loopback', '10.0.0.0/8']);
  });

  it('When the server starts with bad configuration, then it exits 1 with one line per problem and no stack trace', async () => {
    const { code, stderr } = await runServerToExit({ NODE_ENV: 'production', PORT: 'eighty', CORS_ORIGINS: '*' });
    assert.equal(code, 1);
    assert.match(stderr, /PORT:/);
    assert.match(stderr, /CORS_ORIGINS:/);
    assert.match(stderr, /JWT_SECRET: is required in production/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });
});
