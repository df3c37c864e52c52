import { CfnOutput, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ApplicationLoadBalancer, ApplicationTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Canary, Code, Runtime, Schedule, Test } from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { canaryScript } from '../canary/cors-canary.ts';

/**
 * The numbers behind every alarm (README "Monitoring" says why each is what it is). Periods in seconds.
 * The canary runs every `canaryEveryMinutes`; its alarm period is the same, so one run is one data point.
 */
export const monitoringDefaults = {
  canaryEveryMinutes: 5,
  canaryFailedRuns: 2,
  canaryRequestTimeoutMs: 10_000,
  loadBalancer5xxPer5Minutes: 5,
  target5xxPer5Minutes: 5,
  p99Seconds: 2,
  p99Periods: 3,
  certificateDaysLeft: 30,
  unhealthyMinutes: 2,
} as const;

export interface ForumApiMonitoringProps {
  /** Who is paged: an e-mail subscription to the alarm topic (confirm the mail AWS sends first). */
  alarmEmail: string;
  /** The API's public host name (api.yongheonn.com): the canary calls https://<it> as the browser does. */
  apiHost: string;
  /** The front end's origin the canary sends (CORS_ORIGINS must contain it). */
  frontOrigin: string;
  loadBalancer: ApplicationLoadBalancer;
  targetGroup: ApplicationTargetGroup;
  /** The HTTPS listener's certificate: its DaysToExpiry is watched. */
  certificateArn: string;
}

interface AlarmSpec {
  id: string;
  metric: IMetric;
  threshold: number;
  comparison: ComparisonOperator;
  evaluationPeriods: number;
  missing: TreatMissingData;
  description: string;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Alarms on every link of the chain that broke in the seed incident (no healthy target, an unhealthy one,
 * the load balancer's own CORS-less 5xx pages, the app's 5xx, slow answers, the listener's certificate),
 * plus a canary that does what the browser does from outside; all of them mail one SNS topic, on ALARM and
 * on OK. Its own construct, so the stack only hands it the load balancer, target group and certificate.
 */
export class ForumApiMonitoring extends Construct {
  readonly topic: Topic;
  readonly canary: Canary;
  readonly alarms: Record<string, Alarm> = {};

  constructor(scope: Construct, id: string, props: ForumApiMonitoringProps) {
    super(scope, id);
    if (!emailPattern.test(props.alarmEmail)) throw new Error(`alarmEmail must be an e-mail address (got ${JSON.stringify(props.alarmEmail)})`);
    const d = monitoringDefaults;
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const { loadBalancer, targetGroup } = props;
    // Written out rather than through targetGroup.metrics, whose LoadBalancer dimension is cut from a
    // listener's ARN: here both dimensions are the resources' own full-name attributes.
    const alb = (metricName: string, statistic: string, period: Duration, perTargetGroup: boolean) =>
      new Metric({
        namespace: 'AWS/ApplicationELB',
        metricName,
        statistic,
        period,
        dimensionsMap: {
          LoadBalancer: loadBalancer.loadBalancerFullName,
          ...(perTargetGroup ? { TargetGroup: targetGroup.targetGroupFullName } : {}),
        },
      });

    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'forum-api alarms' });
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.canary = new Canary(this, 'CorsCanary', {
      runtime: Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0,
      test: Test.custom({
        code: Code.fromInline(canaryScript({ apiUrl: `https://${props.apiHost}`, origin: props.frontOrigin, timeoutMs: d.canaryRequestTimeoutMs })),
        handler: 'index.handler',
      }),
      schedule: Schedule.rate(Duration.minutes(d.canaryEveryMinutes)),
      timeout: Duration.seconds(60),
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(31),
      artifactsBucketLifecycleRules: [{ expiration: Duration.days(31) }],
      provisionedResourceCleanup: true,
    });

    const specs: AlarmSpec[] = [
      {
        id: 'NoHealthyTarget',
        metric: alb('HealthyHostCount', 'Minimum', minute, true),
        threshold: 1,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No data = no target registered at all, or the load balancer gone: the site is down either way.
        missing: TreatMissingData.BREACHING,
        description: 'No healthy target for a minute: every request gets the load balancer\'s own 502/503, which browsers report as a CORS error. Check the target group (health path /ajax/health/ on 8080) and systemctl status forum-api.',
      },
      {
        id: 'UnhealthyTarget',
        metric: alb('UnHealthyHostCount', 'Maximum', minute, true),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: d.unhealthyMinutes,
        missing: TreatMissingData.NOT_BREACHING,
        description: `A target has failed its health checks for ${d.unhealthyMinutes} minutes (longer than a deploy's drain): npm run doctor -- https://<api> --target <ip>:8080 from inside the VPC.`,
      },
      {
        id: 'LoadBalancer5xx',
        metric: alb('HTTPCode_ELB_5XX_Count', 'Sum', fiveMinutes, false),
        threshold: d.loadBalancer5xxPer5Minutes,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        missing: TreatMissingData.NOT_BREACHING,
        description: 'The load balancer answered 5xx pages of its own (no CORS headers: browsers report a CORS error): targets unhealthy, unreachable, or closing idle connections early.',
      },
      {
        id: 'Target5xx',
        metric: alb('HTTPCode_Target_5XX_Count', 'Sum', fiveMinutes, true),
        threshold: d.target5xxPer5Minutes,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        missing: TreatMissingData.NOT_BREACHING,
        description: 'forum-api answered 5xx (a bug, or 503 with the database down): journalctl -u forum-api, search the request ids.',
      },
      {
        id: 'SlowResponses',
        metric: alb('TargetResponseTime', 'p99', fiveMinutes, true),
        threshold: d.p99Seconds,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: d.p99Periods,
        missing: TreatMissingData.NOT_BREACHING,
        description: `The slowest 1% of answers took over ${d.p99Seconds} s for ${d.p99Periods * 5} minutes: the database or the instance is saturated.`,
      },
      {
        id: 'CertificateExpiry',
        metric: new Metric({
          namespace: 'AWS/CertificateManager',
          metricName: 'DaysToExpiry',
          dimensionsMap: { CertificateArn: props.certificateArn },
          statistic: 'Minimum',
          period: Duration.days(1),
        }),
        threshold: d.certificateDaysLeft,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // ACM publishes this daily for every certificate; a day without it means this alarm watches a
        // certificate that no longer exists (replaced on the listener?), which must not stay silent.
        missing: TreatMissingData.BREACHING,
        description: `The HTTPS listener's certificate expires in under ${d.certificateDaysLeft} days. ACM renews DNS-validated certificates 60 days ahead: renewal is failing (its validation CNAME left the DNS zone?) or the certificate is imported. Behind Cloudflare an expired one shows as error 526.`,
      },
      {
        id: 'CanaryFailed',
        metric: this.canary.metricSuccessPercent({ statistic: 'Average', period: Duration.minutes(d.canaryEveryMinutes) }),
        threshold: 100,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: d.canaryFailedRuns,
        // A canary that stopped running watches nothing.
        missing: TreatMissingData.BREACHING,
        description: `The browser's call failed ${d.canaryFailedRuns} runs in a row from outside: the preflight or GET /ajax/subject/all was not 2xx with Access-Control-Allow-Origin ${props.frontOrigin}. The canary's log says who answered (forum-api, the load balancer, Cloudflare).`,
      },
    ];

    const action = new SnsAction(this.topic);
    for (const spec of specs) {
      const alarm = new Alarm(this, spec.id, {
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        treatMissingData: spec.missing,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms[spec.id] = alarm;
    }

    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn, description: `alarms mail ${props.alarmEmail} (confirm the subscription mail first)` });
    new CfnOutput(this, 'CanaryName', { value: this.canary.canaryName, description: 'the CORS canary: its runs and logs in CloudWatch Synthetics' });
  }
}
