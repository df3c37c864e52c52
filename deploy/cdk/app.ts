import { App } from 'aws-cdk-lib';
import { ForumApiAlbStack } from './stack.ts';

/**
 * The CDK app. The VPC is described by context values, so synthesis never looks anything up in AWS:
 *   vpcId=vpc-…  availabilityZones=ap-northeast-2a,ap-northeast-2c  publicSubnetIds=subnet-…,subnet-…
 *   apiHost=api.yongheonn.com  alarmEmail=owner@example.com  (the canary's target; who the alarms mail)
 *   certificate=create  (optional: a DNS-validated ACM certificate for apiHost instead of --parameters CertificateArn=…)
 *   instanceIds=i-…,i-…  (optional: targets to register now)
 *   ingress=anywhere  (optional: without Cloudflare in front; by default only Cloudflare's ranges reach the ALB)
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
  ingress: list(app, 'ingress', undefined)[0] === 'anywhere' ? 'anywhere' : 'cloudflare',
});
app.synth();
