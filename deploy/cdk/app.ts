import { App } from 'aws-cdk-lib';
import type { FleetOptions } from './fleet.ts';
import { ForumApiAlbStack } from './stack.ts';

/**
 * The CDK app. The VPC is described by context values, so synthesis never looks anything up in AWS:
 *   vpcId=vpc-…  availabilityZones=ap-northeast-2a,ap-northeast-2c  publicSubnetIds=subnet-…,subnet-…
 *   apiHost=api.yongheonn.com  alarmEmail=owner@example.com  (the canary's target; who the alarms mail)
 *   certificate=create  (optional: a DNS-validated ACM certificate for apiHost instead of --parameters CertificateArn=…)
 *   instanceIds=i-…,i-…  (optional: targets to register now)
 *   ingress=anywhere  (optional: without Cloudflare in front; by default only Cloudflare's ranges reach the ALB)
 * Fleet mode (deploy/cdk/fleet.ts) instead of instanceIds: fleet=true privateSubnetIds=subnet-…,subnet-…
 *   buildS3Uri=s3://bucket/forum-api-<version>.tgz smtpSecretArn=arn:aws:secretsmanager:…
 *   (optional: multiAz=true instanceType=t4g.small minCapacity=2 maxCapacity=4 corsOrigins=… frontUrl=… cookieDomain=…)
 * With the CDK CLI: npx aws-cdk deploy --app 'npx node deploy/cdk/app.ts' -c vpcId=… --parameters CertificateArn=…
 * Offline, no credentials: npm run cdk:synth -- -c vpcId=… (the template goes to cdk.out/).
 */
function contextFromArgs(args: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const [name, ...value] = (args[index] === '-c' || args[index] === '--context' ? args[++index] ?? '' : '').split('=');
    if (name) context[name] = value.join('=');
  }
  return context;
}

function list(app: App, name: string, example: string | undefined): string[] {
  const value: unknown = app.node.tryGetContext(name);
  const entries = typeof value === 'string' ? value.split(',').map((entry) => entry.trim()).filter(Boolean) : [];
  if (entries.length === 0 && example !== undefined) {
    throw new Error(`missing context value ${name}: pass -c ${name}=${example}`);
  }
  return entries;
}

function certificateSource(app: App): 'import' | 'create' {
  const [value = 'import'] = list(app, 'certificate', undefined);
  if (value !== 'import' && value !== 'create') throw new Error(`context value certificate must be import or create (got ${value})`);
  return value;
}

function fleetOptions(app: App): FleetOptions {
  const one = (name: string) => list(app, name, undefined)[0];
  const number = (name: string) => (one(name) === undefined ? {} : { [name]: Number(one(name)) });
  const environment: Record<string, string> = {};
  for (const [context, variable] of [['corsOrigins', 'CORS_ORIGINS'], ['frontUrl', 'FRONT_URL'], ['cookieDomain', 'COOKIE_DOMAIN']] as const) {
    const value: unknown = app.node.tryGetContext(context);
    if (typeof value === 'string' && value) environment[variable] = value;
  }
  return {
    privateSubnetIds: list(app, 'privateSubnetIds', 'subnet-cccc,subnet-dddd'),
    buildS3Uri: list(app, 'buildS3Uri', 's3://my-bucket/forum-api-1.0.0.tgz')[0]!,
    smtpSecretArn: list(app, 'smtpSecretArn', 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:forum-smtp-AbCdEf')[0]!,
    multiAz: one('multiAz') === 'true',
    ...(one('instanceType') ? { instanceType: one('instanceType')! } : {}),
    ...number('minCapacity'),
    ...number('maxCapacity'),
    environment,
  };
}

// Under the CDK CLI the context and output directory come from the environment it sets.
const app = new App({ context: contextFromArgs(process.argv.slice(2)), outdir: process.env.CDK_OUTDIR ? undefined : 'cdk.out' });
new ForumApiAlbStack(app, 'ForumApiAlb', {
  description: 'forum-api behind an ALB: target group on the app port, health-checked on the app health path',
  vpc: {
    vpcId: list(app, 'vpcId', 'vpc-0123456789abcdef0')[0]!,
    availabilityZones: list(app, 'availabilityZones', 'ap-northeast-2a,ap-northeast-2c'),
    publicSubnetIds: list(app, 'publicSubnetIds', 'subnet-aaaa,subnet-bbbb'),
  },
  apiHost: list(app, 'apiHost', 'api.yongheonn.com')[0]!,
  alarmEmail: list(app, 'alarmEmail', 'owner@example.com')[0]!,
  certificate: certificateSource(app),
  instanceIds: list(app, 'instanceIds', undefined),
  ...(list(app, 'fleet', undefined)[0] === 'true' ? { fleet: fleetOptions(app) } : {}),
  ingress: list(app, 'ingress', undefined)[0] === 'anywhere' ? 'anywhere' : 'cloudflare',
});
app.synth();
