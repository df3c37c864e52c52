import { albContract } from '../../alb-contract.ts';
import type { DoctorContext, Outcome } from '../context.ts';
import { header, type HttpAnswer } from '../http.ts';
import { fail, type CheckResult } from '../report.ts';

export const loadBalancerAnswered =
  'the load balancer answered: its targets are unhealthy or unreachable';
export const loadBalancerFix =
  `check the target group's health-check path and port (expected ${albContract.healthCheckPath} on ${albContract.targetPort}) and the security group rule from the ALB to ${albContract.targetPort}; --target <instance-ip>:${albContract.targetPort} probes one directly`;

/** Every answer from forum-api carries X-Request-Id; the ALB's own error pages are HTML from awselb. */
export const fromOurServer = (answer: HttpAnswer) => header(answer, 'x-request-id') !== undefined;

/** How an answer shows it came through Cloudflare's proxy (undefined: it did not). */
export function cloudflareSign(answer: HttpAnswer): string | undefined {
  const ray = header(answer, 'cf-ray');
  if (ray) return `cf-ray ${ray}`;
  return /^cloudflare$/i.test(header(answer, 'server') ?? '') ? 'Server: cloudflare' : undefined;
}

const originCheck = '--origin-host <the ALB\'s DNS name> (the stack\'s LoadBalancerDnsName output) shows what the ALB itself serves';

/**
 * Cloudflare's own error pages, in AWS terms: the origin is the ALB. 502/504 count only when the page is
 * Cloudflare's (it names itself); an ALB's 502/504 passed through is the load balancer's (loadBalancerSigns).
 */
export const cloudflareErrors: Readonly<Record<number, { meaning: string; fix: string }>> = {
  520: {
    meaning: 'the origin (the ALB) sent Cloudflare an empty, reset or unreadable answer',
    fix: `check the ALB's HTTPS listener and its targets' health; ${originCheck}`,
  },
  521: {
    meaning: 'the origin (the ALB) refused the connection: no listener on the port Cloudflare uses (443 in SSL mode Full/Strict, 80 in Flexible), or the DNS record points elsewhere',
    fix: `the ALB needs an HTTPS listener on 443, and Cloudflare's DNS record must be a CNAME of the ALB's DNS name; ${originCheck}`,
  },
  522: {
    meaning: "Cloudflare's connection to the origin (the ALB) timed out: its security group drops Cloudflare's addresses, or its subnets have no route to the internet",
    fix: `the ALB's security group must allow Cloudflare's ranges on 443 (deploy/cdk takes them from src/http/cloudflare-ranges.ts; npm run cloudflare-ranges refreshes them), its subnets need a route to an internet gateway; ${originCheck}`,
  },
  523: {
    meaning: "Cloudflare cannot reach the origin: the DNS record's target does not resolve or route",
    fix: "Cloudflare's DNS record for the API must be a CNAME of the ALB's DNS name (the LoadBalancerDnsName output), and that ALB must exist",
  },
  524: {
    meaning: 'the origin accepted the connection but sent no answer within 100 s; an ALB would have answered 504 itself after its 60 s idle timeout, so the origin may not be the ALB',
    fix: `check that Cloudflare's DNS record points at the ALB; ${originCheck}`,
  },
  525: {
    meaning: 'the TLS handshake between Cloudflare and the origin (the ALB) failed: no certificate on the HTTPS listener, or no cipher in common with its SSL policy',
    fix: `the ALB's HTTPS listener needs an ACM certificate and a current SSL policy; ${originCheck}`,
  },
  526: {
    meaning: "the origin's certificate is invalid: the ALB's certificate expired or does not cover the API's name (Cloudflare's SSL mode Full (strict) checks it)",
    fix: `renew or replace the ACM certificate on the ALB's HTTPS listener (a DNS-validated one renews itself while its validation CNAME stays in Cloudflare's DNS); ${originCheck}`,
  },
  530: {
    meaning: 'Cloudflare cannot resolve or use the origin (a 1xxx error behind the 530): the DNS record targets a name that does not exist',
    fix: "Cloudflare's DNS record for the API must be a CNAME of the ALB's DNS name (the LoadBalancerDnsName output)",
  },
};

/** The error page Cloudflare made up itself, when it is one. */
export function cloudflareError(answer: HttpAnswer): { sign: string; meaning: string; fix: string } | undefined {
  const sign = cloudflareSign(answer);
  if (!sign || fromOurServer(answer)) return undefined;
  const known = cloudflareErrors[answer.status];
  if (known) return { sign, ...known };
  if ([502, 504].includes(answer.status) && /cloudflare/i.test(answer.body)) {
    return { sign, meaning: `Cloudflare's own ${answer.status} page: it got no valid answer from the origin (the ALB) in time`, fix: `check the ALB's listener and targets; ${originCheck}` };
  }
  return undefined;
}

/** The fix for a check failed by an answer forum-api did not send: never a change to forum-api. */
export function notOursFix(answer: HttpAnswer): string {
  const sign = cloudflareSign(answer);
  if (sign) {
    return `this answer is Cloudflare's (${sign}), not forum-api's (no X-Request-Id): a Cloudflare rule, WAF, Worker or cache answered before the ALB; look up the Ray ID in Cloudflare's Security events, and ${originCheck}`;
  }
  return `this answer is not forum-api's (no X-Request-Id${header(answer, 'server') ? `, Server: ${header(answer, 'server')}` : ''}): the DNS record must point at the ALB, and its HTTPS listener must forward to the forum-api target group (port ${albContract.targetPort})`;
}

/** Why an answer looks made up by the load balancer (undefined: it does not). */
export function loadBalancerSigns(answer: HttpAnswer): string[] | undefined {
  if (![502, 503, 504].includes(answer.status) || fromOurServer(answer)) return undefined;
  const server = header(answer, 'server') ?? '';
  const html = /text\/html/i.test(header(answer, 'content-type') ?? '') || /^\s*<(!doctype|html)/i.test(answer.body);
  if (!/^awselb\//i.test(server) && !html) return undefined;
  if (cloudflareError(answer)) return undefined;
  const through = cloudflareSign(answer);
  return ['no X-Request-Id', ...(server ? [`Server: ${server}`] : []), ...(html ? ['HTML body'] : []), ...(through ? [`passed through Cloudflare, ${through}`] : [])];
}

/** The first line of an answer: status, who answered, how long it took. */
export function describeAnswer(answer: HttpAnswer): string {
  const by = fromOurServer(answer) ? `request id ${header(answer, 'x-request-id')}` : `no X-Request-Id${header(answer, 'server') ? `, Server: ${header(answer, 'server')}` : ''}`;
  return `${answer.status} in ${answer.ms} ms (${by})`;
}

/**
 * Every HTTP check starts here: no answer, or an answer the load balancer made up, fails the same way;
 * otherwise our server (or something else) answered and `judge` says what the answer means.
 */
export function judgeAnswer(ctx: DoctorContext, id: string, outcome: Outcome, what: string, judge: (answer: HttpAnswer) => CheckResult): CheckResult {
  if (!outcome.ok) {
    return fail(id, `${what}: no answer (${outcome.error.code}: ${outcome.error.message})`, 'see the tcp and tls lines; the server may be down or too slow');
  }
  const answer = outcome.answer;
  if (fromOurServer(answer)) return judge(answer);
  const edge = cloudflareError(answer);
  if (edge) {
    if (ctx.cloudflareSeenAt) return fail(id, `${what}: ${answer.status} from Cloudflare too (no CORS headers)`, `see ${ctx.cloudflareSeenAt}`, answer.ms);
    ctx.cloudflareSeenAt = id;
    return fail(id, `${what}: ${answer.status} from Cloudflare (${edge.sign}, no X-Request-Id): ${edge.meaning}; it has no CORS headers, so browsers report a 'CORS error'`, edge.fix, answer.ms);
  }
  const signs = loadBalancerSigns(answer);
  if (!signs) {
    // Judged for its evidence, but whatever is wrong, forum-api did not send it: nothing to change there.
    const judged = judge(answer);
    return judged.status === 'fail' || judged.status === 'warn' ? { ...judged, fix: notOursFix(answer) } : judged;
  }
  const corsless = header(outcome.answer, 'access-control-allow-origin') === undefined ? "; it has no CORS headers, so browsers report a 'CORS error'" : '';
  const { status, ms } = outcome.answer;
  // Said in full once; the lines after it point back instead of repeating the paragraph.
  if (ctx.loadBalancerSeenAt) return fail(id, `${what}: ${status} from the load balancer too${corsless}`, `see ${ctx.loadBalancerSeenAt}`, ms);
  ctx.loadBalancerSeenAt = id;
  return fail(id, `${what}: ${status} — ${loadBalancerAnswered} (${signs.join(', ')})${corsless}`, loadBalancerFix, ms);
}
