import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, loadConfig } from '../src/config.ts';
import { resolveSecrets } from '../src/secrets.ts';

const arn = (name: string) => `arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:${name}-AbCdEf`;
const jwtValue = 'Qm7vR2xK9pLw4TzN8cYb3HsJ6dFg1AeU5iOq0WnVtZyXrMkP';
const secrets = new Map<string, string>([
  [arn('forum-db'), JSON.stringify({ username: 'forum', password: 'p@ss/word:1', host: 'forum.abc.ap-northeast-2.rds.amazonaws.com', port: 5432, dbname: 'forum', engine: 'postgres' })],
  [arn('forum-jwt'), `${jwtValue}\n`],
  [arn('forum-smtp'), 'smtps://mailer:secret@smtp.example.com:465'],
  [arn('not-json'), 'plain text'],
]);

/**
 * Secrets Manager on loopback: its JSON protocol (POST, X-Amz-Target secretsmanager.GetSecretValue), answering
 * the secrets above and ResourceNotFoundException for any other ARN, as the service does.
 */
function standIn(): Promise<{ server: Server; endpoint: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      asked.push(`${req.headers['x-amz-target']} ${SecretId}`);
      const value = secrets.get(SecretId);
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if (value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      res.end(JSON.stringify({ ARN: SecretId, Name: SecretId.split(':').at(-1), SecretString: value, VersionId: 'v1' }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, asked })),
  );
}

describe('Secrets Manager at start-up (a stand-in on loopback)', () => {
  let stand: Awaited<ReturnType<typeof standIn>>;
  let client: (region: string) => SecretsManagerClient;
  before(async () => {
    stand = await standIn();
    client = (region) => new SecretsManagerClient({ region, endpoint: stand.endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'stand-in' }, maxAttempts: 1 });
  });
  after(() => stand.server.close());

  it('When the three ARNs are set, then the configuration gets the database URL, the token secret and the SMTP URL from their secrets', async () => {
    const env = await resolveSecrets(
      { NODE_ENV: 'production', DATABASE_SECRET_ARN: arn('forum-db'), JWT_SECRET_ARN: arn('forum-jwt'), SMTP_URL_SECRET_ARN: arn('forum-smtp') },
      { client },
    );
    const config = loadConfig(env);
    assert.equal(config.database.url, 'postgres://forum:p%40ss%2Fword%3A1@forum.abc.ap-northeast-2.rds.amazonaws.com:5432/forum?sslmode=no-verify');
    assert.equal(config.database.embedded, false);
    assert.equal(config.jwt.secret, jwtValue);
    assert.equal(config.mail.smtpUrl, 'smtps://mailer:secret@smtp.example.com:465');
    assert.deepEqual(stand.asked.slice(-3).sort(), [arn('forum-db'), arn('forum-jwt'), arn('forum-smtp')].map((id) => `secretsmanager.GetSecretValue ${id}`).sort());
  });

  it('When a secret does not exist, then start-up stops with one line naming the variable, the ARN and the cause', async () => {
    const error = await resolveSecrets({ JWT_SECRET_ARN: arn('missing') }, { client }).then(() => assert.fail('resolved'), (caught: unknown) => caught);
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!, /^JWT_SECRET_ARN: cannot read arn:aws:secretsmanager:.*missing-AbCdEf: ResourceNotFoundException: Secrets Manager can't find/);
  });

  it('When the database secret is not the RDS JSON, then start-up says what it expected', async () => {
    await assert.rejects(resolveSecrets({ DATABASE_SECRET_ARN: arn('not-json') }, { client }), (error: ConfigError) => /DATABASE_SECRET_ARN: the secret is not JSON/.test(error.problems[0]!));
  });

  it('When an ARN and the plain variable are both set, or an ARN is malformed, then start-up refuses without asking Secrets Manager', async () => {
    const before = stand.asked.length;
    await assert.rejects(resolveSecrets({ DATABASE_SECRET_ARN: arn('forum-db'), DATABASE_URL: 'postgres://x@y/z' }, { client }), /set either it or DATABASE_URL/);
    const env = await resolveSecrets({ JWT_SECRET_ARN: 'forum-jwt' }, { client });
    assert.throws(() => loadConfig(env), /JWT_SECRET_ARN: must be a Secrets Manager secret ARN/);
    assert.equal(stand.asked.length, before);
  });

  it('When no ARN is set, then the environment is used as it is and nothing is asked', async () => {
    const before = stand.asked.length;
    const env = { DATABASE_URL: 'postgres://u@h/d', JWT_SECRET: jwtValue };
    assert.deepEqual(await resolveSecrets(env, { client }), env);
    assert.equal(stand.asked.length, before);
  });
});
