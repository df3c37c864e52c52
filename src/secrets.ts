import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, secretArnPattern } from './config.ts';

/**
 * Secrets Manager at start-up: DATABASE_SECRET_ARN (the RDS secret: JSON with username, password, host, port,
 * dbname) becomes DATABASE_URL, and JWT_SECRET_ARN (a plain string) becomes JWT_SECRET, before the
 * configuration is validated. The instance role needs `secretsmanager:GetSecretValue` on both secrets (and
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
const defaultClient = (region: string): SecretReader => new SecretsManagerClient({ region: process.env.AWS_REGION || region, maxAttempts: 3 });

async function readSecret(variable: string, arn: string, options: SecretOptions): Promise<string> {
  const client = (options.client ?? defaultClient)(regionOf(arn));
  try {
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

/** The environment with the secrets the ARNs name put in place of DATABASE_URL and JWT_SECRET. */
export async function resolveSecrets(source: NodeJS.ProcessEnv, options: SecretOptions = {}): Promise<NodeJS.ProcessEnv> {
  const env = { ...source };
  const problems: string[] = [];
  const { DATABASE_SECRET_ARN: databaseArn, JWT_SECRET_ARN: jwtArn } = env;
  if (databaseArn && env.DATABASE_URL) problems.push('DATABASE_SECRET_ARN: set either it or DATABASE_URL, not both');
  if (jwtArn && env.JWT_SECRET) problems.push('JWT_SECRET_ARN: set either it or JWT_SECRET, not both');
  if (problems.length > 0) throw new ConfigError(problems);
  // A malformed ARN is left for the configuration's own check, which names it.
  const [databaseSecret, jwtSecret] = await Promise.all([
    databaseArn && secretArnPattern.test(databaseArn) ? readSecret('DATABASE_SECRET_ARN', databaseArn, options) : undefined,
    jwtArn && secretArnPattern.test(jwtArn) ? readSecret('JWT_SECRET_ARN', jwtArn, options) : undefined,
  ]);
  if (databaseSecret !== undefined) env.DATABASE_URL = databaseUrlFromSecret(databaseSecret);
  if (jwtSecret !== undefined) env.JWT_SECRET = jwtSecret.trim();
  return env;
}
