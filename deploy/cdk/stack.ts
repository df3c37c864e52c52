import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Port, SecurityGroup, Vpc, type VpcAttributes } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerAction,
  ListenerCertificate,
  Protocol,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { InstanceIdTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import type { Construct } from 'constructs';
import { albContract } from '../alb-contract.ts';
import { listenerCertificateArn, type CertificateSource } from './certificate.ts';
import { allowOnlyCloudflare, trustProxyBehindCloudflare } from './cloudflare-ingress.ts';
import { ForumApiMonitoring } from './monitoring.ts';
import { ForumApiFleet, type FleetOptions } from './fleet.ts';

export interface ForumApiAlbProps extends StackProps {
  /** The existing VPC the instances run in (the ALB goes in its public subnets); given, never looked up. */
  vpc: VpcAttributes;
  /** EC2 instances to register now (more can be registered later, e.g. by an Auto Scaling group). */
  instanceIds?: readonly string[];
  /** Who may reach the listeners: Cloudflare's published ranges (the default: it proxies the API) or anyone. */
  ingress?: 'cloudflare' | 'anywhere';
  /** The API's public host name (e.g. api.yongheonn.com): the certificate's name and what the canary calls. */
  apiHost: string;
  /** The front end's origin the canary sends (default https://yongheonn.com, as CORS_ORIGINS). */
  frontOrigin?: string;
  /** Who the alarms mail (an SNS e-mail subscription). */
  alarmEmail: string;
  /** `import` (default): the CertificateArn parameter; `create`: a DNS-validated ACM certificate for apiHost. */
  certificate?: CertificateSource;
  /** Fleet mode (deploy/cdk/fleet.ts): an Auto Scaling group, an RDS PostgreSQL and the secrets, made here. */
  fleet?: FleetOptions;
}

/**
 * The ALB in front of forum-api: an HTTPS listener forwarding everything to one target group on the app's
 * port, health-checked on the app's health path, with every number taken from the ALB contract.
 */
export class ForumApiAlbStack extends Stack {
  readonly instanceSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: ForumApiAlbProps) {
    super(scope, id, props);
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i.test(props.apiHost)) {
      throw new Error(`apiHost must be the API's host name, such as api.yongheonn.com (got ${JSON.stringify(props.apiHost)})`);
    }
    const behindCloudflare = (props.ingress ?? 'cloudflare') === 'cloudflare';
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', props.vpc);
    const certificateArn = listenerCertificateArn(this, props.certificate ?? 'import', props.apiHost);

    const albSecurityGroup = new SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: `forum-api ALB: HTTPS (and HTTP, redirected) from ${behindCloudflare ? 'the Cloudflare ranges' : 'anywhere'}; out only to the instances on the app port`,
      allowAllOutbound: false,
    });
    if (behindCloudflare) allowOnlyCloudflare(albSecurityGroup);
    this.instanceSecurityGroup = new SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc,
      description: `forum-api instances: the app port ${albContract.targetPort} from the ALB only`,
      allowAllOutbound: true,
    });
    // The only way in to the instances: the target group's traffic and health checks, from the ALB.
    this.instanceSecurityGroup.addIngressRule(albSecurityGroup, Port.tcp(albContract.targetPort), 'ALB to forum-api (traffic and health checks)');
    albSecurityGroup.addEgressRule(this.instanceSecurityGroup, Port.tcp(albContract.targetPort), 'ALB to forum-api');

    const alb = new ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      idleTimeout: Duration.seconds(albContract.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
    });

    const targetGroup = new ApplicationTargetGroup(this, 'TargetGroup', {
      vpc,
      targetType: TargetType.INSTANCE,
      protocol: ApplicationProtocol.HTTP,
      port: albContract.targetPort,
      deregistrationDelay: Duration.seconds(albContract.deregistrationDelaySeconds),
      healthCheck: {
        protocol: Protocol.HTTP,
        // The port traffic goes to, so the health check can never probe another port than the app's.
        port: 'traffic-port',
        path: albContract.healthCheckPath,
        healthyHttpCodes: albContract.healthyHttpCodes,
        interval: Duration.seconds(albContract.healthCheckIntervalSeconds),
        timeout: Duration.seconds(albContract.healthCheckTimeoutSeconds),
        healthyThresholdCount: albContract.healthyThresholdCount,
        unhealthyThresholdCount: albContract.unhealthyThresholdCount,
      },
      targets: (props.instanceIds ?? []).map((instanceId) => new InstanceIdTarget(instanceId, albContract.targetPort)),
    });

    // Every request goes to the app, whatever its path: a path the ALB answered itself (a fixed response)
    // would carry no CORS headers, and the browser would call it a "CORS error".
    alb.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [ListenerCertificate.fromArn(certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      open: !behindCloudflare,
      defaultAction: ListenerAction.forward([targetGroup]),
    });
    alb.addListener('Http', {
      protocol: ApplicationProtocol.HTTP,
      port: 80,
      open: !behindCloudflare,
      defaultAction: ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    new ForumApiMonitoring(this, 'Monitoring', {
      alarmEmail: props.alarmEmail,
      apiHost: props.apiHost,
      frontOrigin: props.frontOrigin ?? 'https://yongheonn.com',
      loadBalancer: alb,
      targetGroup,
      certificateArn,
    });

    if (props.fleet) {
      new ForumApiFleet(this, 'Fleet', {
        ...props.fleet,
        vpc,
        targetGroup,
        instanceSecurityGroup: this.instanceSecurityGroup,
        trustProxy: behindCloudflare ? trustProxyBehindCloudflare : 'uniquelocal',
      });
    }

    new CfnOutput(this, 'LoadBalancerDnsName', { value: alb.loadBalancerDnsName, description: 'point the API host name (alias record) here' });
    new CfnOutput(this, 'InstanceSecurityGroupId', { value: this.instanceSecurityGroup.securityGroupId, description: 'attach to the forum-api instances' });
    new CfnOutput(this, 'TargetGroupArn', { value: targetGroup.targetGroupArn });
    new CfnOutput(this, 'InstanceTrustProxy', {
      value: behindCloudflare ? trustProxyBehindCloudflare : 'uniquelocal',
      description: 'TRUST_PROXY for the instances (the systemd unit sets the Cloudflare value)',
    });
  }
}
