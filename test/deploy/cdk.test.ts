import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { albContract } from '../../deploy/alb-contract.ts';
import { cloudflareListenerPorts, trustProxyBehindCloudflare } from '../../deploy/cdk/cloudflare-ingress.ts';
import { ForumApiAlbStack } from '../../deploy/cdk/stack.ts';
import { cloudflareRanges } from '../../src/http/cloudflare-ranges.ts';
import { runCommand } from '../helpers/run-command.ts';

const vpc = { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'], publicSubnetIds: ['subnet-0aaa', 'subnet-0bbb'] };
/** What every stack needs besides the VPC: the API's host (certificate, canary) and who the alarms mail. */
const required = { apiHost: 'api.yongheonn.com', alarmEmail: 'owner@example.com' };

describe('The CDK stack for the ALB (synthesised offline)', () => {
  let template: Template;
  before(() => {
    template = Template.fromStack(new ForumApiAlbStack(new App(), 'ForumApiAlb', { vpc, ...required, instanceIds: ['i-0123456789abcdef0'] }));
  });

  const logicalId = (type: string) => {
    const ids = Object.keys(template.findResources(type));
    assert.equal(ids.length, 1, type);
    return ids[0]!;
  };

  it('When synthesised, then the target group is HTTP on the app port and health-checks the contract path and timings', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'HTTP',
      Port: albContract.targetPort,
      TargetType: 'instance',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: albContract.healthCheckPath,
      Matcher: { HttpCode: albContract.healthyHttpCodes },
      HealthCheckIntervalSeconds: albContract.healthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: albContract.healthCheckTimeoutSeconds,
      HealthyThresholdCount: albContract.healthyThresholdCount,
      UnhealthyThresholdCount: albContract.unhealthyThresholdCount,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: String(albContract.deregistrationDelaySeconds) }]),
      Targets: [{ Id: 'i-0123456789abcdef0', Port: albContract.targetPort }],
    });
  });

  it('When synthesised, then the ALB idles out after the contract idle timeout', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: String(albContract.idleTimeoutSeconds) }]),
    });
  });

  it('When synthesised, then HTTPS 443 uses the CertificateArn parameter and forwards everything to the target group', () => {
    template.hasParameter('CertificateArn', { Type: 'String' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId('AWS::ElasticLoadBalancingV2::TargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }],
    });
  });

  it('When synthesised, then the instances accept only the app port, only from the ALB security group', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    const instanceGroup = Object.keys(groups).find((id) => id.startsWith('InstanceSecurityGroup'))!;
    const albGroup = Object.keys(groups).find((id) => id.startsWith('AlbSecurityGroup'))!;
    assert.equal(groups[instanceGroup]!.Properties.SecurityGroupIngress, undefined, 'no inline ingress on the instances');
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => rule.Properties.GroupId['Fn::GetAtt']?.[0] === instanceGroup,
    );
    assert.deepEqual(
      ingress.map((rule) => [rule.Properties.IpProtocol, rule.Properties.FromPort, rule.Properties.ToPort, rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]]),
      [['tcp', albContract.targetPort, albContract.targetPort, albGroup]],
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [instanceGroup, 'GroupId'] },
      FromPort: albContract.targetPort,
      ToPort: albContract.targetPort,
    });
  });
});

describe('The CDK stack in front of Cloudflare', () => {
  const listenerIngress = (template: Template) =>
    Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .flatMap((group) => (group.Properties.SecurityGroupIngress ?? []) as Array<{ CidrIp?: string; CidrIpv6?: string; FromPort: number }>)
      .map((rule) => `${rule.CidrIp ?? rule.CidrIpv6}:${rule.FromPort}`)
      .sort();

  it("When synthesised with the defaults, then the ALB's listeners accept only Cloudflare's published ranges, and the instances are told to trust them", () => {
    const template = Template.fromStack(new ForumApiAlbStack(new App(), 'ForumApiAlb', { vpc, ...required }));
    const expected = cloudflareListenerPorts.flatMap((port) => [...cloudflareRanges.ipv4, ...cloudflareRanges.ipv6].map((range) => `${range}:${port}`)).sort();
    assert.deepEqual(listenerIngress(template), expected);
    assert.ok(!listenerIngress(template).some((rule) => rule.startsWith('0.0.0.0/0') || rule.startsWith('::/0')), 'nothing from anywhere');
    template.hasOutput('InstanceTrustProxy', { Value: trustProxyBehindCloudflare });
  });

  it('When synthesised with ingress "anywhere" (no Cloudflare in front), then the listeners are open to all and the instances trust the ALB only', () => {
    const template = Template.fromStack(new ForumApiAlbStack(new App(), 'ForumApiAlb', { vpc, ...required, ingress: 'anywhere' }));
    assert.deepEqual(listenerIngress(template), ['0.0.0.0/0:443', '0.0.0.0/0:80']);
    template.hasOutput('InstanceTrustProxy', { Value: 'uniquelocal' });
  });
});

describe('The CDK app entry', () => {
  const entry = fileURLToPath(new URL('../../deploy/cdk/app.ts', import.meta.url));

  it('When run with the VPC given as context and no AWS access, then it writes the template', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    try {
      const context = ['-c', `vpcId=${vpc.vpcId}`, '-c', `availabilityZones=${vpc.availabilityZones.join(',')}`, '-c', `publicSubnetIds=${vpc.publicSubnetIds.join(',')}`, '-c', `apiHost=${required.apiHost}`, '-c', `alarmEmail=${required.alarmEmail}`];
      const { code, stderr } = await runCommand(process.execPath, [entry, ...context], { PATH: process.env.PATH, CDK_OUTDIR: outdir }, 60_000);
      assert.equal(code, 0, stderr);
      assert.ok(existsSync(join(outdir, 'ForumApiAlb.template.json')));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('When the VPC is not given, then it says which context value is missing', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    try {
      const { code, stderr } = await runCommand(process.execPath, [entry], { PATH: process.env.PATH, CDK_OUTDIR: outdir }, 60_000);
      assert.notEqual(code, 0);
      assert.match(stderr, /missing context value vpcId: pass -c vpcId=/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
