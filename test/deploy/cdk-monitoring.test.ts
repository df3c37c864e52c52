import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { canaryScript } from '../../deploy/canary/cors-canary.ts';
import { monitoringDefaults } from '../../deploy/cdk/monitoring.ts';
import { ForumApiAlbStack, type ForumApiAlbProps } from '../../deploy/cdk/stack.ts';

const props: ForumApiAlbProps = {
  vpc: { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'], publicSubnetIds: ['subnet-0aaa', 'subnet-0bbb'] },
  apiHost: 'api.yongheonn.com',
  alarmEmail: 'owner@example.com',
};

const synth = (extra: Partial<ForumApiAlbProps> = {}) => Template.fromStack(new ForumApiAlbStack(new App(), 'ForumApiAlb', { ...props, ...extra }));

function onlyId(template: Template, type: string, prefix = ''): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  assert.equal(ids.length, 1, `${type} ${prefix}: ${ids.join(', ')}`);
  return ids[0]!;
}

/** The alarm whose logical id starts with Monitoring<name>, as synthesised. */
function alarm(template: Template, name: string): Record<string, unknown> {
  return template.findResources('AWS::CloudWatch::Alarm')[onlyId(template, 'AWS::CloudWatch::Alarm', `Monitoring${name}`)]!.Properties as Record<string, unknown>;
}

describe('The alarms of the CDK stack (synthesised offline)', () => {
  let template: Template;
  let topic: { Ref: string };
  let loadBalancer: { Name: string; Value: unknown };
  let targetGroup: { Name: string; Value: unknown };

  before(() => {
    template = synth();
    topic = { Ref: onlyId(template, 'AWS::SNS::Topic') };
    loadBalancer = { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [onlyId(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'LoadBalancerFullName'] } };
    targetGroup = { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [onlyId(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'), 'TargetGroupFullName'] } };
  });

  /** Every field that decides when an alarm pages, and that it pages (and says OK) through the topic. */
  function assertAlarm(name: string, expected: Record<string, unknown>) {
    const actual = alarm(template, name);
    const { EvaluationPeriods } = expected as { EvaluationPeriods: number };
    const decisive = ['Namespace', 'MetricName', 'Dimensions', 'Statistic', 'ExtendedStatistic', 'Period', 'Threshold', 'ComparisonOperator', 'EvaluationPeriods', 'DatapointsToAlarm', 'TreatMissingData', 'AlarmActions', 'OKActions'];
    assert.deepEqual(
      Object.fromEntries(decisive.filter((key) => key in actual).map((key) => [key, actual[key]])),
      { ...expected, DatapointsToAlarm: EvaluationPeriods, AlarmActions: [topic], OKActions: [topic] },
      name,
    );
  }

  it('When synthesised, then the alarms mail the address given, through one SNS topic', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'owner@example.com', TopicArn: topic });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  it('When no target is healthy for one minute (or no data arrives), then NoHealthyTarget pages', () => {
    assertAlarm('NoHealthyTarget', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'HealthyHostCount', Dimensions: [loadBalancer, targetGroup], Statistic: 'Minimum', Period: 60,
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'breaching',
    });
  });

  it('When a target stays unhealthy for two minutes, then UnhealthyTarget pages', () => {
    assertAlarm('UnhealthyTarget', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount', Dimensions: [loadBalancer, targetGroup], Statistic: 'Maximum', Period: 60,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2, TreatMissingData: 'notBreaching',
    });
  });

  it("When the load balancer answers 5xx pages of its own, then LoadBalancer5xx pages (the load balancer's dimension only)", () => {
    assertAlarm('LoadBalancer5xx', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_5XX_Count', Dimensions: [loadBalancer], Statistic: 'Sum', Period: 300,
      Threshold: monitoringDefaults.loadBalancer5xxPer5Minutes, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
    });
  });

  it('When forum-api answers 5xx, then Target5xx pages', () => {
    assertAlarm('Target5xx', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [loadBalancer, targetGroup], Statistic: 'Sum', Period: 300,
      Threshold: monitoringDefaults.target5xxPer5Minutes, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
    });
  });

  it('When the p99 response time stays over the threshold, then SlowResponses pages (an extended statistic)', () => {
    assertAlarm('SlowResponses', {
      Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', Dimensions: [loadBalancer, targetGroup], ExtendedStatistic: 'p99', Period: 300,
      Threshold: monitoringDefaults.p99Seconds, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: monitoringDefaults.p99Periods, TreatMissingData: 'notBreaching',
    });
  });

  it("When the listener's certificate has under 30 days left, then CertificateExpiry pages; it watches the CertificateArn parameter the listener uses", () => {
    assertAlarm('CertificateExpiry', {
      Namespace: 'AWS/CertificateManager', MetricName: 'DaysToExpiry', Dimensions: [{ Name: 'CertificateArn', Value: { Ref: 'CertificateArn' } }], Statistic: 'Minimum', Period: 86400,
      Threshold: 30, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }] });
  });

  it('When the canary fails twice in a row (or stops running), then CanaryFailed pages', () => {
    assertAlarm('CanaryFailed', {
      Namespace: 'CloudWatchSynthetics', MetricName: 'SuccessPercent', Dimensions: [{ Name: 'CanaryName', Value: { Ref: onlyId(template, 'AWS::Synthetics::Canary') } }], Statistic: 'Average', Period: 300,
      Threshold: 100, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'breaching',
    });
  });

  it('When synthesised, then the canary runs every 5 minutes on a Node runtime, with the script built from deploy/canary against https://<apiHost>', () => {
    template.hasResourceProperties('AWS::Synthetics::Canary', {
      RuntimeVersion: Match.stringLikeRegexp('^syn-nodejs-'),
      Schedule: { Expression: 'rate(5 minutes)', DurationInSeconds: '0' },
      StartCanaryAfterCreation: true,
      Code: {
        Handler: 'index.handler',
        Script: canaryScript({ apiUrl: 'https://api.yongheonn.com', origin: 'https://yongheonn.com', timeoutMs: monitoringDefaults.canaryRequestTimeoutMs }),
      },
    });
  });

  it('When the alarm e-mail is not an address, or apiHost is a URL, then synthesis stops and says which', () => {
    assert.throws(() => synth({ alarmEmail: 'owner' }), /alarmEmail must be an e-mail address \(got "owner"\)/);
    assert.throws(() => synth({ apiHost: 'https://api.yongheonn.com' }), /apiHost must be the API's host name, such as api\.yongheonn\.com \(got "https:\/\/api\.yongheonn\.com"\)/);
  });
});

describe('The certificate option of the CDK stack', () => {
  it('When certificate is "create", then ACM issues one for the API host by DNS, the listener and the expiry alarm use it, and the validation CNAME is an output', () => {
    const template = synth({ certificate: 'create' });
    assert.deepEqual(template.findParameters('CertificateArn'), {}, 'no CertificateArn parameter to fill in');
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'api.yongheonn.com', ValidationMethod: 'DNS' });
    const certificate = { Ref: onlyId(template, 'AWS::CertificateManager::Certificate') };
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Certificates: [{ CertificateArn: certificate }] });
    assert.deepEqual(alarm(template, 'CertificateExpiry').Dimensions, [{ Name: 'CertificateArn', Value: certificate }]);

    const lookup = onlyId(template, 'Custom::AWS', 'CertificateValidationRecord');
    const call = JSON.stringify(template.findResources('Custom::AWS')[lookup]!.Properties.Create);
    assert.match(call, /\\"service\\":\\"ACM\\",\\"action\\":\\"describeCertificate\\"/);
    const record = 'Certificate.DomainValidationOptions.0.ResourceRecord';
    template.hasOutput('CertificateValidationCname', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [lookup, `${record}.Name`] }, ' CNAME ', { 'Fn::GetAtt': [lookup, `${record}.Value`] }]] },
      Description: Match.stringLikeRegexp('Keep this record in the DNS zone of api\\.yongheonn\\.com \\(Cloudflare: DNS only, not proxied\\)'),
    });
  });

  it('When certificate is left to its default, then an existing certificate is imported through the CertificateArn parameter, and nothing is created', () => {
    const template = synth();
    template.hasParameter('CertificateArn', { Type: 'String' });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('Custom::AWS', 0);
    assert.deepEqual(template.findOutputs('CertificateValidationCname'), {});
  });
});
