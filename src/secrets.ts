import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ConfigError, secretArnPattern } from './config.ts';

/**
 * Secrets Manager at start-up: DATABASE_SECRET_ARN (the RDS secret: JSON with username, password, host, port,
 * dbname) becomes DATABASE_URL, JWT_SECRET_ARN and SMTP_URL_SECRET_ARN (plain strings) become JWT_SECRET and
 * SMTP_URL, before the configuration is validated. The instance role needs `secretsmanager:GetSecretValue` on them (and
 * `kms:Decrypt` when they use a customer-managed key). The client finds its credentials and region as the AWS
 * SDK always does (the instance profile on EC2); the region defaults to the secret's own.
 */
export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

export interface SecretOptions {
  /** Reads a secret; by default a Secrets Manager client in the secret's region. */
  client?: (region: string) => SecretReader;
}

const regionOf = (arn: string) => arn.split(':')[3] ?? '';

async function readSecret(variable: string, arn: string, options: SecretOptions): Promise<string> {
  try {
    // Imported only when an ARN is set: the AWS SDK costs every other start about 250 ms and 20 MB.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const region = regionOf(arn);
    const client = options.client?.(region) ?? new SecretsManagerClient({ region: process.env.AWS_REGION || region, maxAttempts: 3 });
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('the secret has no string value');
    return SecretString;
  } catch (error) {
    const { name, message } = error as Error;
    throw new ConfigError([`${variable}: cannot read ${arn}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`]);
  }
}

/**
 * An RDS secret as a postgres:// URL. TLS without verifying the certificate (`sslmode=no-verify`): RDS requires
 * TLS, its CA is not among Node's, and the connection stays inside the VPC.
 */
export function databaseUrlFromSecret(text: string): string {
  let secret: Record<string, unknown>;
  try {
    secret = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ConfigError(['DATABASE_SECRET_ARN: the secret is not JSON (expected the RDS secret: username, password, host, port, dbname)']);
  }
  const missing = ['username', 'password', 'host'].filter((field) => typeof secret[field] !== 'string' || secret[field] === '');
  if (missing.length > 0) throw new ConfigError([`DATABASE_SECRET_ARN: the secret lacks ${missing.join(', ')} (expected the RDS secret: username, password, host, port, dbname)`]);
  const user = encodeURIComponent(secret.username as string);
  const password = encodeURIComponent(secret.password as string);
  const port = Number(secret.port ?? 5432);
  const database = encodeURIComponent(typeof secret.dbname === 'string' && secret.dbname ? secret.dbname : 'postgres');
  return `postgres://${user}:${password}@${secret.host as string}:${port}/${database}?sslmode=no-verify`;
}

/** Each ARN variable, the variable its secret stands in for, and how the secret's text becomes that value. */
const secretVariables = [
  { arn: 'DATABASE_SECRET_ARN', target: 'DATABASE_URL', value: databaseUrlFromSecret },
  { arn: 'JWT_SECRET_ARN', target: 'JWT_SECRET', value: (text: string) => text.trim() },
  { arn: 'SMTP_URL_SECRET_ARN', target: 'SMTP_URL', value: (text: string) => text.trim() },
] as const;

/** The environment with the secrets the ARNs name put in place of DATABASE_URL, JWT_SECRET and SMTP_URL. */
export async function resolveSecrets(source: NodeJS.ProcessEnv, options: SecretOptions = {}): Promise<NodeJS.ProcessEnv> {
  const env = { ...source };
  const given = secretVariables.filter(({ arn }) => env[arn]);
  const both = given.filter(({ target }) => env[target]).map(({ arn, target }) => `${arn}: set either it or ${target}, not both`);
  if (both.length > 0) throw new ConfigError(both);
  // A malformed ARN is left for the configuration's own check, which names it.
  const readable = given.filter(({ arn }) => secretArnPattern.test(env[arn]!));
  const texts = await Promise.allSettled(readable.map(({ arn }) => readSecret(arn, env[arn]!, options)));
  const problems: string[] = [];
  for (const [index, { target, value }] of readable.entries()) {
    const text = texts[index]!;
    try {
      if (text.status === 'rejected') throw text.reason;
      env[target] = value(text.value);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}
