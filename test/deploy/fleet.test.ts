import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { albContract } from '../../deploy/alb-contract.ts';
import { trustProxyBehindCloudflare } from '../../deploy/cdk/cloudflare-ingress.ts';
import type { FleetOptions } from '../../deploy/cdk/fleet.ts';
import { ForumApiAlbStack } from '../../deploy/cdk/stack.ts';

const vpc = { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'], publicSubnetIds: ['subnet-0aaa', 'subnet-0bbb'] };
const smtpSecretArn = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:forum-smtp-AbCdEf';
const fleet: FleetOptions = { privateSubnetIds: ['subnet-0ccc', 'subnet-0ddd'], buildS3Uri: 's3://forum-builds/forum-api-1.0.0.tgz', smtpSecretArn };

const synth = (props: Partial<ConstructorParameters<typeof ForumApiAlbStack>[2]>) => Template.fromStack(new ForumApiAlbStack(new App(), 'ForumApiAlb', { vpc, apiHost: 'api.yongheonn.com', alarmEmail: 'owner@example.com', ...props }));
// What EC2 accepts in a security group's description (a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*).
const ec2DescriptionCharacters = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

/** Every string of a CloudFormation value, joined (user data is an Fn::Join of strings and references). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join('');
  if (value && typeof value === 'object') return Object.entries(value).map(([key, inner]) => (key === 'Ref' || key === 'Fn::GetAtt' ? `{${flatten(inner)}}` : flatten(inner))).join('');
  return '';
}

describe('The CDK stack in fleet mode (synthesised offline)', () => {
  let template: Template;
  const only = (type: string): [string, { Properties: Record<string, unknown>; UpdatePolicy?: Record<string, unknown>; CreationPolicy?: Record<string, unknown> }] => {
    const entries = Object.entries(template.findResources(type));
    assert.equal(entries.length, 1, type);
    return entries[0] as never;
  };
  before(() => {
    template = synth({ fleet });
  });

  it('When synthesised, then an Auto Scaling group of at least 2 instances spans the two private subnets and is registered in the target group', () => {
    const [, group] = only('AWS::AutoScaling::AutoScalingGroup');
    assert.equal(group.Properties.MinSize, '2');
    assert.ok(Number(group.Properties.MaxSize) >= 3);
    assert.deepEqual(group.Properties.VPCZoneIdentifier, ['subnet-0ccc', 'subnet-0ddd']);
    const [targetGroupId] = only('AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.deepEqual(group.Properties.TargetGroupARNs, [{ Ref: targetGroupId }]);
    assert.equal(group.Properties.HealthCheckType, 'ELB');
    assert.ok(group.Properties.LaunchTemplate, 'from a launch template');
  });

  it('When the launch template changes, then the group rolls one instance at a time and waits for each to pass the target group health check', () => {
    const [groupId, group] = only('AWS::AutoScaling::AutoScalingGroup');
    const rolling = group.UpdatePolicy?.AutoScalingRollingUpdate as Record<string, unknown>;
    assert.equal(rolling.MaxBatchSize, 1);
    assert.equal(rolling.MinInstancesInService, 2);
    assert.equal(rolling.WaitOnResourceSignals, true);
    const [, launchTemplate] = only('AWS::EC2::LaunchTemplate');
    const userData = flatten((launchTemplate.Properties.LaunchTemplateData as Record<string, unknown>).UserData);
    const [targetGroupId] = only('AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.match(userData, new RegExp(`describe-target-health .*--target-group-arn \\{${targetGroupId}\\}.*Port=${albContract.targetPort}`));
    assert.match(userData, new RegExp(`cfn-signal .*--resource ${groupId} `));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'elasticloadbalancing:DescribeTargetHealth', Effect: 'Allow' })]) },
    });
  });

  it('When an instance boots, then its user data installs Node, the build and the systemd unit, with the secrets ARNs and TRUST_PROXY in its environment', () => {
    const [, launchTemplate] = only('AWS::EC2::LaunchTemplate');
    const userData = flatten((launchTemplate.Properties.LaunchTemplateData as Record<string, unknown>).UserData);
    assert.match(userData, /sha256sum -c -/);
    assert.match(userData, /aws s3 cp s3:\/\/forum-builds\/forum-api-1\.0\.0\.tgz/);
    assert.match(userData, /ExecStart=\/opt\/node-24\/bin\/node .*\/opt\/forum-api\/dist\/server\.js/);
    assert.match(userData, /systemctl enable --now forum-api/);
    const [jwtSecretId] = Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([, secret]) => /JWT_SECRET/.test(String(secret.Properties.Description))) ?? assert.fail('no JWT secret');
    assert.match(userData, new RegExp(`JWT_SECRET_ARN=\\{${jwtSecretId}\\}`));
    assert.match(userData, /DATABASE_SECRET_ARN=\{FleetDatabaseSecretAttachment\w+\}/);
    assert.match(userData, new RegExp(`SMTP_URL_SECRET_ARN=${smtpSecretArn}`));
    assert.match(userData, new RegExp(`TRUST_PROXY=${trustProxyBehindCloudflare}\n`));
    assert.doesNotMatch(userData, /DATABASE_URL=|JWT_SECRET=/, 'no secret value in the template');
  });

  it('When synthesised, then the instance role may read exactly the three secrets and the build', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
    const reads = statements.filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    const resources = reads.flatMap((statement) => [statement.Resource].flat()).map(flatten);
    assert.equal(resources.length, 3, JSON.stringify(resources));
    assert.ok(resources.includes(smtpSecretArn));
    assert.ok(resources.some((resource) => /FleetJwtSecret/.test(resource)));
    assert.ok(resources.some((resource) => /FleetDatabaseSecret/.test(resource)));
    assert.ok(statements.some((statement) => [statement.Action].flat().includes('s3:GetObject*') && /forum-builds.*forum-api-1\.0\.0\.tgz/.test(flatten(statement.Resource))));
  });

  it('When synthesised, then an RDS PostgreSQL, encrypted, not public, is reachable on 5432 from the instances security group only', () => {
    const [, database] = only('AWS::RDS::DBInstance');
    assert.equal(database.Properties.Engine, 'postgres');
    assert.equal(database.Properties.MultiAZ, false);
    assert.equal(database.Properties.PubliclyAccessible, false);
    assert.equal(database.Properties.StorageEncrypted, true);
    const databaseGroups = (database.Properties.VPCSecurityGroups as Array<{ 'Fn::GetAtt': [string, string] }>).map((group) => group['Fn::GetAtt'][0]);
    assert.equal(databaseGroups.length, 1);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) => flatten(rule.Properties.GroupId).includes(databaseGroups[0]!));
    assert.equal(ingress.length, 1, 'one way in');
    assert.equal(ingress[0]!.Properties.FromPort, 5432);
    assert.match(flatten(ingress[0]!.Properties.SourceSecurityGroupId), /InstanceSecurityGroup/);
    const inline = template.findResources('AWS::EC2::SecurityGroup')[databaseGroups[0]!]!.Properties.SecurityGroupIngress;
    assert.equal(inline, undefined, 'no inline rule opens it to anything else');
  });

  it('When multiAz is asked for, then the database runs in two AZs', () => {
    synth({ fleet: { ...fleet, multiAz: true } }).hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
  });

  it('When fleet mode is asked for with fewer than 2 instances or one private subnet, then synthesis refuses', () => {
    assert.throws(() => synth({ fleet: { ...fleet, minCapacity: 1 } }), /at least 2 instances/);
    assert.throws(() => synth({ fleet: { ...fleet, privateSubnetIds: ['subnet-0ccc'] } }), /two availability zones/);
  });

  it('When either mode is synthesised, then every security group description uses only the characters EC2 accepts', () => {
    for (const mode of [template, synth({ instanceIds: ['i-0123456789abcdef0'] }), synth({ ingress: 'anywhere' })]) {
      for (const group of Object.values(mode.findResources('AWS::EC2::SecurityGroup'))) {
        assert.match(String(group.Properties.GroupDescription), ec2DescriptionCharacters);
      }
    }
  });

  it('When instance ids are given instead (attach mode), then no group, database or secret is made', () => {
    const attach = synth({ instanceIds: ['i-0123456789abcdef0'] });
    attach.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    attach.resourceCountIs('AWS::RDS::DBInstance', 0);
    attach.resourceCountIs('AWS::SecretsManager::Secret', 0);
    attach.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Targets: [{ Id: 'i-0123456789abcdef0', Port: albContract.targetPort }] });
  });
});
