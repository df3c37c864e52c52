import { CfnOutput, CfnParameter } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** `import`: the CertificateArn parameter names an existing ACM certificate; `create`: this stack requests one. */
export type CertificateSource = 'import' | 'create';

const record = 'Certificate.DomainValidationOptions.0.ResourceRecord';

/**
 * The HTTPS listener's certificate ARN. With `create`, an ACM certificate for the API host validated by DNS;
 * the stack outputs the validation CNAME, which must stay in the DNS zone (Cloudflare) for as long as the
 * certificate lives: ACM renews it 60 days before expiry only if it still finds that record.
 * CloudFormation holds the stack at the certificate until the record exists (the event log shows it).
 */
export function listenerCertificateArn(scope: Construct, source: CertificateSource, apiHost: string): string {
  if (source === 'import') {
    return new CfnParameter(scope, 'CertificateArn', {
      type: 'String',
      description: 'ARN of the ACM certificate for the API host name (e.g. api.yongheonn.com), in this region',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate/[A-Za-z0-9-]+$',
    }).valueAsString;
  }
  const certificate = new Certificate(scope, 'Certificate', { domainName: apiHost, validation: CertificateValidation.fromDns() });
  // CloudFormation returns no attribute for the validation record; ACM's DescribeCertificate does.
  const described = new AwsCustomResource(scope, 'CertificateValidationRecord', {
    onUpdate: {
      service: 'ACM',
      action: 'describeCertificate',
      parameters: { CertificateArn: certificate.certificateArn },
      physicalResourceId: PhysicalResourceId.of(certificate.certificateArn),
      outputPaths: [`${record}.Name`, `${record}.Value`],
    },
    policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [certificate.certificateArn] }),
    installLatestAwsSdk: false,
  });
  new CfnOutput(scope, 'CertificateValidationCname', {
    value: `${described.getResponseField(`${record}.Name`)} CNAME ${described.getResponseField(`${record}.Value`)}`,
    description: `Keep this record in the DNS zone of ${apiHost} (Cloudflare: DNS only, not proxied): ACM renews the certificate only while it resolves`,
  });
  new CfnOutput(scope, 'CertificateArnOutput', { value: certificate.certificateArn, description: 'the certificate this stack created for the HTTPS listener' });
  return certificate.certificateArn;
}
