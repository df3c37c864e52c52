import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { randomBytes } from 'node:crypto';
import { testSecret } from './helpers/app.ts';
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
    assert.deepEqual(config.trustProxy, { hops: 0 }, 'no proxy trusted until one is declared');
    assert.equal(config.server.keepAliveTimeoutMs, 65_000);
    assert.equal(config.server.headersTimeoutMs, 66_000);
    assert.equal(config.jwt.generatedSecret, true);
  });

  it('When NODE_ENV is production, then the drain outlasts the ALB unhealthy threshold (2 × 10 s)', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: testSecret, SMTP_URL: 'smtp://mail.internal:587' });
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

  const weakSecrets = [
    'test-secret-that-is-at-least-32-bytes-long!!',
    'replace-with-openssl-rand-base64-48-output-please',
    'x'.repeat(40),
    'abcdefgh'.repeat(5),
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
  ];
  for (const weak of weakSecrets) {
    it(`When production gets a JWT_SECRET a person typed (${weak.slice(0, 12)}…), then start-up is refused, saying how to generate one, without echoing it`, () => {
      const text = problemsOf({ NODE_ENV: 'production', JWT_SECRET: weak, SMTP_URL: 'smtp://mail.internal:587' }).join('\n');
      assert.match(text, /JWT_SECRET: is not a random value.*openssl rand -base64 48/);
      assert.ok(!text.includes(weak));
    });
  }

  it('When production gets generated secrets (base64 of 48 random bytes, hex of 32), then they are accepted; development accepts a typed one', () => {
    for (const secret of [randomBytes(48).toString('base64'), randomBytes(32).toString('hex'), randomBytes(32).toString('base64url')]) {
      assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, SMTP_URL: 'smtp://mail.internal:587' }).jwt.secret, secret);
    }
    assert.equal(loadConfig({ JWT_SECRET: weakSecrets[0]! }).jwt.secret, weakSecrets[0]);
  });

  it('When DEV_HTTP_COOKIES is set in production, then start-up is refused: it is for development over plain http', () => {
    assert.match(problemsOf({ NODE_ENV: 'production', JWT_SECRET: testSecret, SMTP_URL: 'smtp://mail.internal:587', DEV_HTTP_COOKIES: 'true' }).join('\n'), /DEV_HTTP_COOKIES: is for development over plain http only/);
    assert.equal(loadConfig({ DEV_HTTP_COOKIES: 'true' }).devHttpCookies, true);
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

  it('When TRUST_PROXY names proxies, then they are kept as a list; a number is a hop count', () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, cloudflare, 2001:db8::1' }).trustProxy, { proxies: ['loopback', '10.0.0.0/8', 'cloudflare', '2001:db8::1'] });
    assert.deepEqual(loadConfig({ TRUST_PROXY: '2' }).trustProxy, { hops: 2 });
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, { hops: 0 });
  });

  it('When nothing is set, then the front end is https://yongheonn.com, guest login is on, no cookie Domain, no OAuth provider', () => {
    const config = loadConfig({});
    assert.equal(config.frontUrl, 'https://yongheonn.com');
    assert.equal(config.guestLogin, true);
    assert.equal(config.cookieDomain, undefined);
    assert.deepEqual(config.oauth.providers, []);
    assert.equal(config.mail.smtpUrl, undefined);
  });

  it('When the cookie-signing key is derived, then it is stable for one JWT_SECRET and is not the JWT_SECRET', () => {
    const secret = 'y'.repeat(40);
    const a = loadConfig({ JWT_SECRET: secret });
    assert.equal(a.cookieSecret, loadConfig({ JWT_SECRET: secret }).cookieSecret);
    assert.notEqual(a.cookieSecret, secret);
    assert.notEqual(a.cookieSecret, loadConfig({ JWT_SECRET: 'z'.repeat(40) }).cookieSecret);
  });

  it('When production has no SMTP_URL, then start-up is refused (verification mails are never logged in production)', () => {
    assert.match(problemsOf({ NODE_ENV: 'production', JWT_SECRET: testSecret }).join('\n'), /SMTP_URL: is required in production/);
  });

  it('When an OAuth client id comes without its secret (or the other way round), then the missing variable is named and no value is echoed', () => {
    const text = problemsOf({
      OAUTH_GOOGLE_CLIENT_ID: 'google-id-value',
      OAUTH_KAKAO_CLIENT_SECRET: 'kakao-secret-value',
      OAUTH_CALLBACK_BASE_URL: 'https://api.example',
    }).join('\n');
    assert.match(text, /OAUTH_GOOGLE_CLIENT_SECRET: is required when OAUTH_GOOGLE_CLIENT_ID is set/);
    assert.match(text, /OAUTH_KAKAO_CLIENT_ID: is required when OAUTH_KAKAO_CLIENT_SECRET is set/);
    assert.ok(!text.includes('kakao-secret-value') && !text.includes('google-id-value'));
  });

  it('When a provider is configured without OAUTH_CALLBACK_BASE_URL, then start-up is refused', () => {
    assert.match(problemsOf({ OAUTH_NAVER_CLIENT_ID: 'id', OAUTH_NAVER_CLIENT_SECRET: 'secret' }).join('\n'), /OAUTH_CALLBACK_BASE_URL: is required/);
  });

  it('When both credentials of a provider are set, then it is enabled with its redirect base', () => {
    const config = loadConfig({ OAUTH_NAVER_CLIENT_ID: 'id', OAUTH_NAVER_CLIENT_SECRET: 'secret', OAUTH_CALLBACK_BASE_URL: 'https://api.example/' });
    assert.deepEqual(config.oauth, { callbackBaseUrl: 'https://api.example', providers: [{ provider: 'naver', clientId: 'id', clientSecret: 'secret' }] });
  });

  it('When FRONT_URL, SMTP_URL, COOKIE_DOMAIN or GUEST_LOGIN are malformed, then each is named, and URLs are not echoed', () => {
    const problems = problemsOf({ FRONT_URL: 'yongheonn.com/path', SMTP_URL: 'http://user:pass@mail', COOKIE_DOMAIN: 'https://x', GUEST_LOGIN: 'maybe' });
    for (const name of ['FRONT_URL', 'SMTP_URL', 'COOKIE_DOMAIN', 'GUEST_LOGIN']) assert.ok(problems.some((line) => line.startsWith(`${name}:`)), name);
    assert.ok(!problems.join('\n').includes('user:pass'));
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
