import { Peer, Port, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { cloudflareRanges } from '../../src/http/cloudflare-ranges.ts';

/**
 * TRUST_PROXY for the instances behind this ALB when Cloudflare is in front: the ALB's private addresses,
 * then Cloudflare's edges. X-Forwarded-For then yields the visitor (src/http/client-address.ts). The systemd
 * unit sets the same value (test/deploy/systemd.test.ts keeps them equal).
 */
export const trustProxyBehindCloudflare = 'uniquelocal,cloudflare';

/** The listener ports Cloudflare connects to (HTTPS; HTTP only to be redirected). */
export const cloudflareListenerPorts = [443, 80] as const;

/**
 * Lets only Cloudflare's published ranges reach the ALB's listeners (src/http/cloudflare-ranges.ts; its
 * `checked` date is kept fresh by `npm run cloudflare-ranges`): visitors come through Cloudflare, never
 * around it, so the edge address the ALB appends to X-Forwarded-For is always one the server trusts.
 */
export function allowOnlyCloudflare(albSecurityGroup: ISecurityGroup): void {
  for (const port of cloudflareListenerPorts) {
    for (const range of cloudflareRanges.ipv4) albSecurityGroup.addIngressRule(Peer.ipv4(range), Port.tcp(port), `Cloudflare ${range}`);
    for (const range of cloudflareRanges.ipv6) albSecurityGroup.addIngressRule(Peer.ipv6(range), Port.tcp(port), `Cloudflare ${range}`);
  }
}
