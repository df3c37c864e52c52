/**
 * Cloudflare's published edge address ranges (https://www.cloudflare.com/ips/). Two readers: the server, when
 * TRUST_PROXY names `cloudflare` (their X-Forwarded-For entries are believed), and the CDK stack, whose ALB
 * accepts connections only from them. `checked` is the day the lists were last compared with Cloudflare's;
 * `npm run cloudflare-ranges` compares them again (and `-- --write` rewrites this file), and
 * test/deploy/cloudflare-ranges.test.ts fails once `checked` is older than half a year.
 */
export const cloudflareRanges = {
  checked: '2026-12-05',
  ipv4: [
    '173.245.48.0/20',
    '103.21.244.0/22',
    '103.22.200.0/22',
    '103.31.4.0/22',
    '141.101.64.0/18',
    '108.162.192.0/18',
    '190.93.240.0/20',
    '188.114.96.0/20',
    '197.234.240.0/22',
    '198.41.128.0/17',
    '162.158.0.0/15',
    '104.16.0.0/13',
    '104.24.0.0/14',
    '172.64.0.0/13',
    '131.0.72.0/22',
  ],
  ipv6: ['2400:cb00::/32', '2606:4700::/32', '2803:f800::/32', '2405:b500::/32', '2405:8100::/32', '2a06:98c0::/29', '2c0f:f248::/32'],
} as const;
