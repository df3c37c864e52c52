import { readFileSync } from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AutoScalingGroup, HealthChecks, AdditionalHealthCheckType, Signals, UpdatePolicy } from 'aws-cdk-lib/aws-autoscaling';
import {
  AmazonLinuxCpuType,
  InstanceType,
  LaunchTemplate,
  MachineImage,
  Port,
  SecurityGroup,
  Subnet,
  UserData,
  type ISecurityGroup,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import type { ApplicationTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Credentials, DatabaseInstance, DatabaseInstanceEngine, PostgresEngineVersion } from 'aws-cdk-lib/aws-rds';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { albContract } from '../alb-contract.ts';

export interface FleetOptions {
  /** Private subnets in (at least) two AZs, with a way out (NAT, or endpoints for S3 and Secrets Manager, plus nodejs.org). */
  privateSubnetIds: readonly string[];
  /** Where the build is: s3://bucket/key of `forum-api.tgz` (README, "Build"). */
  buildS3Uri: string;
  /** An existing Secrets Manager secret whose value is the SMTP URL (smtps://user:password@host:465). */
  smtpSecretArn: string;
  /** Instances: at least 2. */
  minCapacity?: number;
  maxCapacity?: number;
  /** EC2 type; a Graviton type (t4g, m7g, …) gets the arm64 image and Node build. Default t3.small. */
  instanceType?: string;
  /** RDS PostgreSQL in two AZs (a standby that takes over). Default off. */
  multiAz?: boolean;
  /** RDS instance type. Default t4g.micro. */
  databaseInstanceType?: string;
  /** Node.js version installed on the instances (the official tarball, checksum-verified). */
  nodeVersion?: string;
  /** Extra lines for the instances' environment file (CORS_ORIGINS=…, FRONT_URL=…, COOKIE_DOMAIN=…). */
  environment?: Record<string, string>;
}

export interface FleetProps extends FleetOptions {
  vpc: IVpc;
  targetGroup: ApplicationTargetGroup;
  /** The instances' security group (open on the app port to the ALB only). */
  instanceSecurityGroup: ISecurityGroup;
  /** TRUST_PROXY for the instances: the ALB's private addresses (and Cloudflare's edges when it is in front). */
  trustProxy: string;
}

const s3Uri = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
const unit = readFileSync(new URL('../forum-api.service', import.meta.url), 'utf8');

/** The boot script: Node, the build, the unit and its environment; then the signal, once the target group calls the instance healthy. */
function bootScript(props: FleetProps, stack: Stack, secrets: { database: string; jwt: string }, asgLogicalId: string, arm: boolean): string[] {
  const node = props.nodeVersion ?? 'v24.21.0';
  const arch = arm ? 'arm64' : 'x64';
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_SECRET_ARN: secrets.database,
    JWT_SECRET_ARN: secrets.jwt,
    SMTP_URL_SECRET_ARN: props.smtpSecretArn,
    AWS_REGION: stack.region,
    TRUST_PROXY: props.trustProxy,
    ...props.environment,
  };
  return [
    'set -euo pipefail',
    'dnf install -y -q aws-cfn-bootstrap tar xz',
    `V=${node} A=${arch}`,
    'cd /tmp && curl -fsSLO https://nodejs.org/dist/$V/node-$V-linux-$A.tar.xz',
    'curl -fsSL https://nodejs.org/dist/$V/SHASUMS256.txt | grep " node-$V-linux-$A.tar.xz$" | sha256sum -c -',
    'mkdir -p /opt/node-24 && tar -xJf node-$V-linux-$A.tar.xz -C /opt/node-24 --strip-components=1',
    'id forum-api >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin forum-api',
    `aws s3 cp ${props.buildS3Uri} /tmp/forum-api.tgz`,
    'mkdir -p /opt/forum-api && tar -xzf /tmp/forum-api.tgz -C /opt/forum-api',
    'install -d -m 0750 /etc/forum-api',
    "cat > /etc/forum-api/forum-api.env <<'FORUM_ENV'",
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
    'FORUM_ENV',
    'chmod 0600 /etc/forum-api/forum-api.env',
    "cat > /etc/systemd/system/forum-api.service <<'FORUM_UNIT'",
    ...unit.trimEnd().split('\n'),
    'FORUM_UNIT',
    'systemctl daemon-reload && systemctl enable --now forum-api',
    // The rolling update waits for this signal: it is sent once the target group's own health check passes.
    'TOKEN=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
    'ID=$(curl -fsS -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
    'state=unknown',
    'for _ in $(seq 1 90); do',
    `  state=$(aws elbv2 describe-target-health --region ${stack.region} --target-group-arn ${props.targetGroup.targetGroupArn} --targets Id=$ID,Port=${albContract.targetPort} --query "TargetHealthDescriptions[0].TargetHealth.State" --output text || true)`,
    '  [ "$state" = healthy ] && break',
    '  sleep 10',
    'done',
    `/opt/aws/bin/cfn-signal --stack ${stack.stackName} --resource ${asgLogicalId} --region ${stack.region} --exit-code $([ "$state" = healthy ] && echo 0 || echo 1)`,
  ];
}

/**
 * Fleet mode: an Auto Scaling group of at least two instances across two AZs, from a launch template whose
 * user data installs Node, the build and the systemd unit, registered in the target group. A change of the
 * launch template rolls through the group one instance at a time, each new one counted only once the target
 * group's health check passes (a rolling restart). An RDS PostgreSQL reachable only from the instances'
 * security group; its credentials and the token secret in Secrets Manager, read by the server at start.
 */
export class ForumApiFleet extends Construct {
  readonly autoScalingGroup: AutoScalingGroup;
  readonly database: DatabaseInstance;
  readonly jwtSecret: Secret;
  readonly databaseSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const minCapacity = props.minCapacity ?? 2;
    if (minCapacity < 2) throw new Error('fleet mode runs at least 2 instances (minCapacity >= 2)');
    if (props.privateSubnetIds.length < 2) throw new Error('fleet mode needs private subnets in two availability zones (privateSubnetIds)');
    const build = s3Uri.exec(props.buildS3Uri);
    if (!build) throw new Error(`buildS3Uri must look like s3://bucket/forum-api.tgz, not ${props.buildS3Uri}`);
    const subnets = { subnets: props.privateSubnetIds.map((subnetId, index) => Subnet.fromSubnetId(this, `Private${index}`, subnetId)) };

    this.databaseSecurityGroup = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: props.vpc,
      description: 'forum-api database: PostgreSQL from the forum-api instances only',
      allowAllOutbound: false,
    });
    this.databaseSecurityGroup.addIngressRule(props.instanceSecurityGroup, Port.tcp(5432), 'forum-api instances to PostgreSQL');

    this.database = new DatabaseInstance(this, 'Database', {
      engine: DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_17 }),
      instanceType: new InstanceType(props.databaseInstanceType ?? 't4g.micro'),
      vpc: props.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.databaseSecurityGroup],
      credentials: Credentials.fromGeneratedSecret('forum'),
      databaseName: 'forum',
      multiAz: props.multiAz ?? false,
      allocatedStorage: 20,
      storageEncrypted: true,
      publiclyAccessible: false,
      backupRetention: Duration.days(7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });

    this.jwtSecret = new Secret(this, 'JwtSecret', {
      description: 'forum-api JWT_SECRET (access-token signing key)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    const role = new Role(this, 'InstanceRole', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
    this.database.secret!.grantRead(role);
    this.jwtSecret.grantRead(role);
    role.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.smtpSecretArn] }));
    Bucket.fromBucketName(this, 'Build', build[1]!).grantRead(role, build[2]);
    // Read-only, and not scoped by the API: the boot script waits for the target group to call it healthy.
    role.addToPolicy(new PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));

    const instanceType = props.instanceType ?? 't3.small';
    const arm = /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);
    const userData = UserData.forLinux();
    const launchTemplate = new LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new InstanceType(instanceType),
      machineImage: MachineImage.latestAmazonLinux2023({ cpuType: arm ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64 }),
      securityGroup: props.instanceSecurityGroup,
      role,
      userData,
      requireImdsv2: true,
    });

    this.autoScalingGroup = new AutoScalingGroup(this, 'Instances', {
      vpc: props.vpc,
      vpcSubnets: subnets,
      launchTemplate,
      minCapacity,
      // One above the minimum at least: the rolling update starts each new instance before it stops an old one.
      maxCapacity: Math.max(props.maxCapacity ?? 4, minCapacity + 1),
      // An instance the target group calls unhealthy is replaced (after the boot grace).
      healthChecks: HealthChecks.withAdditionalChecks({ additionalTypes: [AdditionalHealthCheckType.ELB], gracePeriod: Duration.minutes(10) }),
      signals: Signals.waitForMinCapacity({ timeout: Duration.minutes(20) }),
      updatePolicy: UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: minCapacity,
        waitOnResourceSignals: true,
        pauseTime: Duration.minutes(20),
      }),
    });
    props.targetGroup.addTarget(this.autoScalingGroup);
    const asgLogicalId = stack.getLogicalId(this.autoScalingGroup.node.defaultChild as never);
    userData.addCommands(...bootScript(props, stack, { database: this.database.secret!.secretArn, jwt: this.jwtSecret.secretArn }, asgLogicalId, arm));

    new CfnOutput(stack, 'AutoScalingGroupName', { value: this.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(stack, 'DatabaseEndpoint', { value: this.database.dbInstanceEndpointAddress });
    new CfnOutput(stack, 'DatabaseSecretArn', { value: this.database.secret!.secretArn });
    new CfnOutput(stack, 'JwtSecretArn', { value: this.jwtSecret.secretArn });
  }
}
