import { hkdfSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { appDefaults } from './alb-contract.ts';

const integer = (fallback: number, min = 0) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).default(fallback);

const flagValues = z.enum(['true', 'false', '1', '0', 'yes', 'no']);
const isTrue = (value: string) => value === 'true' || value === '1' || value === 'yes';
const flag = (fallback: boolean) => flagValues.default(fallback ? 'true' : 'false').transform(isTrue);
/** A flag whose default depends on other variables (undefined when unset). */
const optionalFlag = flagValues.optional().transform((value) => (value === undefined ? undefined : isTrue(value)));

const origins = z
  .string()
  .default('https://yongheonn.com')
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z
          .string()
          .refine((origin) => origin !== '*', {
            message: '"*" is refused: credentials are allowed, so every origin must be named',
          })
          .refine((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin), {
            message: 'each origin must look like https://host[:port] with no path or trailing slash',
          }),
      )
      .min(1, 'at least one origin is required'),
  );

// An IANA zone name (Asia/Seoul, America/Argentina/Buenos_Aires, Etc/GMT+9, UTC), as written. Only its shape is
// checked here: fixed offsets like "+09:00" and POSIX rules like "KST-9" or "<+09>-9" are refused (they ignore
// daylight saving wherever it applies, and POSIX counts hours west: UTC+9 is nine hours behind UTC), and with them
// the legacy names of that shape (EST5EDT, GMT0: use America/New_York, UTC). Whether the database writes post dates
// in it is checked at start (src/db/time-zone.ts), so the server never loads ICU's zone and locale data.
const timeZone = z
  .string()
  .default('Asia/Seoul')
  .refine((value) => value.length <= 64 && /^[A-Za-z][\w+-]*(?:\/[\w+-]+)*$/.test(value) && !/^[A-Za-z]+[+-]?\d/.test(value), {
    message: 'must be an IANA time zone such as Asia/Seoul or UTC',
  });

// Whose X-Forwarded-For is believed (src/http/client-address.ts). Default: nobody, so a client that writes the
// header itself cannot pick the address its rate limits count against. A hop count, or proxies by address,
// subnet, Express's names (loopback, linklocal, uniquelocal) or `cloudflare` (its published ranges).
export type TrustProxy = { hops: number } | { proxies: string[] };
const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal', 'cloudflare']);
const isProxyEntry = (entry: string): boolean => {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};
const trustProxy = z
  .string()
  .default('0')
  .transform((value, context): TrustProxy => {
    if (/^\d+$/.test(value)) return { hops: Number(value) };
    if (value === 'false') return { hops: 0 };
    if (value === 'true') {
      context.addIssue({ code: 'custom', message: '"true" would believe any X-Forwarded-For a client writes: give the hop count or name the proxies' });
      return z.NEVER;
    }
    const proxies = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const wrong = proxies.filter((entry) => !proxyNames.has(entry) && !isProxyEntry(entry));
    if (wrong.length > 0) {
      context.addIssue({ code: 'custom', message: `not an address, subnet or one of ${[...proxyNames].join(', ')}: ${wrong.join(', ')}` });
      return z.NEVER;
    }
    return { proxies };
  });

// An origin such as https://yongheonn.com; a trailing slash is tolerated and dropped.
const httpOrigin = z
  .string()
  .regex(/^https?:\/\/[^/\s?#]+\/?$/, 'must look like https://host[:port] with no path')
  .transform((value) => value.replace(/\/$/, ''));

// A Secrets Manager secret, read at start by src/secrets.ts (which puts its value where the plain variable goes).
export const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const secretArn = z
  .string()
  .regex(secretArnPattern, 'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)')
  .optional();

// Each provider is enabled by setting both of its client credentials.
const oauthCredentials = {
  OAUTH_GOOGLE_CLIENT_ID: z.string().optional(),
  OAUTH_GOOGLE_CLIENT_SECRET: z.string().optional(),
  OAUTH_NAVER_CLIENT_ID: z.string().optional(),
  OAUTH_NAVER_CLIENT_SECRET: z.string().optional(),
  OAUTH_KAKAO_CLIENT_ID: z.string().optional(),
  OAUTH_KAKAO_CLIENT_SECRET: z.string().optional(),
};

const schema = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: integer(appDefaults.port, 0).pipe(z.number().max(65535, 'must be at most 65535')),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    API_DOCS: optionalFlag,
    CORS_ORIGINS: origins,
    DATABASE_URL: z
      .string()
      .default('')
      .refine((value) => value === '' || /^postgres(ql)?:\/\//.test(value), {
        message: 'must be empty (embedded database) or a postgres:// URL',
      }),
    DATABASE_SECRET_ARN: secretArn,
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    MIGRATE_ON_START: flag(true),
    DB_POOL_MAX: integer(10, 1),
    DB_CONNECT_TIMEOUT_MS: integer(2000, 1),
    DB_STATEMENT_TIMEOUT_MS: integer(5000, 1),
    DB_PROBE_INTERVAL_MS: integer(5000, 100),
    JWT_SECRET: z.string().optional(),
    JWT_SECRET_ARN: secretArn,
    TRUST_PROXY: trustProxy,
    APP_TIME_ZONE: timeZone,
    SUBJECT_LIST_CACHE_MS: integer(5000, 0),
    BOARD_LIST_CACHE_MS: integer(1000, 0),
    BOARD_POST_CACHE_MS: integer(1000, 0),
    BOARD_VIEW_FLUSH_MS: integer(1000, 0),
    BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 512kb or 1mb').default('512kb'),
    KEEP_ALIVE_TIMEOUT_MS: integer(appDefaults.keepAliveTimeoutMs, 1),
    HEADERS_TIMEOUT_MS: integer(appDefaults.headersTimeoutMs, 1),
    REQUEST_TIMEOUT_MS: integer(90_000, 0),
    SHUTDOWN_DRAIN_MS: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be at least 0').optional(),
    SHUTDOWN_TIMEOUT_MS: integer(30_000, 0),
    FRONT_URL: httpOrigin.default('https://yongheonn.com'),
    COOKIE_DOMAIN: z
      .string()
      .regex(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i, 'must be a bare host name such as yongheonn.com')
      .optional(),
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    SMTP_URL_SECRET_ARN: secretArn,
    MAIL_FROM: z.string().min(3).default('helper@yongheonn.com'),
    GUEST_LOGIN: flag(true),
    DEV_HTTP_COOKIES: flag(false),
    OAUTH_CALLBACK_BASE_URL: httpOrigin.optional(),
    ...oauthCredentials,
  });

type Env = z.output<typeof schema>;

/** Every variable the configuration reads (README.md and .env.example must describe each one). */
export const configVariables = Object.keys(schema.shape);

const generateSecret = 'generate one with `openssl rand -base64 48`';

/**
 * What a person types rather than a generator: example values (they contain words like these), repeated
 * characters or short cycles, and strings of few distinct characters. The estimate is the string's Shannon
 * entropy per character times the length of its shortest repeating unit; 48 random bytes in base64 carry
 * about 300 bits by it, a 64-digit hex string about 240, and the threshold is 128.
 */
function shortestPeriod(text: string): number {
  for (let period = 1; period < text.length; period += 1) {
    if ([...text].every((character, index) => character === text[index % period])) return period;
  }
  return text.length;
}

export function weakSecret(secret: string): boolean {
  if (/change|example|placeholder|replace|secret|password|default|sample/i.test(secret)) return true;
  const unit = secret.slice(0, shortestPeriod(secret));
  const counts = new Map<string, number>();
  for (const character of unit) counts.set(character, (counts.get(character) ?? 0) + 1);
  const bitsPerCharacter = [...counts.values()].reduce((bits, count) => bits - (count / unit.length) * Math.log2(count / unit.length), 0);
  return counts.size < 10 || bitsPerCharacter * unit.length < 128;
}

// Rules between variables. They run on whichever variables parsed, so a single start-up attempt lists
// every problem at once.
function crossFieldProblems(env: Partial<Env>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) problems.push(`JWT_SECRET: is required in production (${generateSecret})`);
  if (env.JWT_SECRET !== undefined && Buffer.byteLength(env.JWT_SECRET) < 32) problems.push(`JWT_SECRET: must be at least 32 bytes (${generateSecret})`);
  else if (env.NODE_ENV === 'production' && env.JWT_SECRET !== undefined && weakSecret(env.JWT_SECRET)) {
    problems.push(`JWT_SECRET: is not a random value (a placeholder, a word or a pattern); production needs one: ${generateSecret}`);
  }
  if (env.NODE_ENV === 'production' && env.DEV_HTTP_COOKIES) problems.push('DEV_HTTP_COOKIES: is for development over plain http only; production keeps the cookie Secure');
  const { KEEP_ALIVE_TIMEOUT_MS: keepAlive, HEADERS_TIMEOUT_MS: headers, REQUEST_TIMEOUT_MS: request } = env;
  if (keepAlive !== undefined && headers !== undefined && headers <= keepAlive) {
    problems.push(`HEADERS_TIMEOUT_MS: must be greater than KEEP_ALIVE_TIMEOUT_MS (${keepAlive})`);
  }
  if (headers !== undefined && request !== undefined && request !== 0 && request < headers) {
    problems.push(`REQUEST_TIMEOUT_MS: must be 0 or at least HEADERS_TIMEOUT_MS (${headers})`);
  }
  problems.push(...accountProblems(env));
  return problems;
}

/** The OAuth providers a deployment may enable, each by its OAUTH_<NAME>_CLIENT_ID and _CLIENT_SECRET (src/features/oauth/providers.ts has their endpoints). */
export const oauthProviderNames = ['google', 'naver', 'kakao'] as const;
export type OAuthProviderName = (typeof oauthProviderNames)[number];

function accountProblems(env: Partial<Env>): string[] {
  const problems: string[] = [];
  // Registration always sends a verification mail, and production must never write it to the log instead.
  if (env.NODE_ENV === 'production' && !env.SMTP_URL) problems.push('SMTP_URL: is required in production (verification mails are sent through it)');
  for (const provider of oauthProviderNames) {
    const { idVariable, secretVariable, clientId, clientSecret } = oauthCredentialsOf(env, provider);
    if (clientId && !clientSecret) problems.push(`${secretVariable}: is required when ${idVariable} is set`);
    if (clientSecret && !clientId) problems.push(`${idVariable}: is required when ${secretVariable} is set`);
  }
  if (enabledOAuthProviders(env).length > 0 && !env.OAUTH_CALLBACK_BASE_URL) {
    problems.push('OAUTH_CALLBACK_BASE_URL: is required when an OAuth provider is configured (the public origin of this API)');
  }
  return problems;
}

/** A provider's two variables (OAUTH_GOOGLE_CLIENT_ID, …) and their values. */
function oauthCredentialsOf(env: Partial<Env>, provider: OAuthProviderName) {
  const prefix = `OAUTH_${provider.toUpperCase() as Uppercase<OAuthProviderName>}` as const;
  const idVariable = `${prefix}_CLIENT_ID` as const;
  const secretVariable = `${prefix}_CLIENT_SECRET` as const;
  return { idVariable, secretVariable, clientId: env[idVariable], clientSecret: env[secretVariable] };
}

function enabledOAuthProviders(env: Partial<Env>) {
  return oauthProviderNames.flatMap((provider) => {
    const { clientId, clientSecret } = oauthCredentialsOf(env, provider);
    return clientId && clientSecret ? [{ provider, clientId, clientSecret }] : [];
  });
}

// Signed cookies (the OAuth state) get their own key, derived from JWT_SECRET so there is one secret to manage.
function cookieSecretFrom(jwtSecret: string): string {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'forum-api', 'cookie-signing', 32)).toString('base64url');
}

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: Env) {
  const production = env.NODE_ENV === 'production';
  const generatedSecret = env.JWT_SECRET === undefined;
  const jwtSecret = env.JWT_SECRET ?? randomBytes(48).toString('base64url');
  return {
    env: env.NODE_ENV,
    production,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    /** auto: readable lines in a terminal outside production, JSON lines otherwise (src/logger.ts). */
    logFormat: env.LOG_FORMAT,
    /** The API reference page at /ajax/docs/: on unless in production, where API_DOCS=true turns it on. */
    apiDocs: env.API_DOCS ?? !production,
    corsOrigins: env.CORS_ORIGINS,
    database: {
      url: env.DATABASE_URL,
      embedded: env.DATABASE_URL === '',
      dataDir: env.DATA_DIR,
      migrateOnStart: env.MIGRATE_ON_START,
      poolMax: env.DB_POOL_MAX,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      probeIntervalMs: env.DB_PROBE_INTERVAL_MS,
    },
    /** Where rate limits count with several instances: Redis when set, else PostgreSQL (or memory on the embedded database). */
    redisUrl: env.REDIS_URL,
    jwt: {
      secret: jwtSecret,
      generatedSecret,
    },
    cookieSecret: cookieSecretFrom(jwtSecret),
    frontUrl: env.FRONT_URL,
    cookieDomain: env.COOKIE_DOMAIN,
    /** Development over plain http: the refresh cookie without Secure, SameSite=Lax (refused in production). */
    devHttpCookies: env.DEV_HTTP_COOKIES,
    guestLogin: env.GUEST_LOGIN,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    oauth: { callbackBaseUrl: env.OAUTH_CALLBACK_BASE_URL ?? '', providers: enabledOAuthProviders(env) },
    trustProxy: env.TRUST_PROXY,
    /** The zone `reg_date`/`update_date` are written in ("YYYY-MM-DD HH:MM:SS" carries no offset). */
    timeZone: env.APP_TIME_ZONE,
    bodyLimit: env.BODY_LIMIT,
    /** How long the subjects list is kept; every instance's writes drop it at once (LISTEN/NOTIFY) unless that listener is down (0 = every request reads). */
    subjectListCacheMs: env.SUBJECT_LIST_CACHE_MS,
    /** How long a list page may be served from memory: view counts lag by up to this (writes drop it at once, as above). */
    boardListCacheMs: env.BOARD_LIST_CACHE_MS,
    /** How long a post may be served from memory by board/read (edits and deletes drop it at once, as above). */
    boardPostCacheMs: env.BOARD_POST_CACHE_MS,
    /** How often counted views are written (0 = each view before its read is answered); a crash loses up to this much. */
    boardViewFlushMs: env.BOARD_VIEW_FLUSH_MS,
    server: {
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      // Behind the ALB the drain must outlast `unhealthy threshold × interval` (src/alb-contract.ts); locally nobody waits.
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS ?? (production ? appDefaults.productionShutdownDrainMs : 0),
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
  };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Reads and validates the environment once. Empty strings count as unset, as in most .env tooling. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(env);
  const fieldProblems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, env));
  const valid = parsed.success ? parsed.data : validFields(env);
  const problems = [...fieldProblems, ...crossFieldProblems(valid)];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

function validFields(env: Record<string, string | undefined>): Partial<Env> {
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const result = field.safeParse(env[name]);
    if (result.success) fields[name] = result.data;
  }
  return fields as Partial<Env>;
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? 'environment');
  const given = env[name];
  const shown = given === undefined || /SECRET|PASSWORD|URL/.test(name) ? '' : ` (got "${given}")`;
  return `${name}: ${issue.message}${shown}`;
}
