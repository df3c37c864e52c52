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

/** Why an answer looks made up by the load balancer (undefined: it does not). */
export function loadBalancerSigns(answer: HttpAnswer): string[] | undefined {
  if (![502, 503, 504].includes(answer.status) || fromOurServer(answer)) return undefined;
  const server = header(answer, 'server') ?? '';
  const html = /text\/html/i.test(header(answer, 'content-type') ?? '') || /^\s*<(!doctype|html)/i.test(answer.body);
  if (!/^awselb\//i.test(server) && !html) return undefined;
  return ['no X-Request-Id', ...(server ? [`Server: ${server}`] : []), ...(html ? ['HTML body'] : [])];
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
  const signs = loadBalancerSigns(outcome.answer);
  if (!signs) return judge(outcome.answer);
  const corsless = header(outcome.answer, 'access-control-allow-origin') === undefined ? "; it has no CORS headers, so browsers report a 'CORS error'" : '';
  const { status, ms } = outcome.answer;
  // Said in full once; the lines after it point back instead of repeating the paragraph.
  if (ctx.loadBalancerSeenAt) return fail(id, `${what}: ${status} from the load balancer too${corsless}`, `see ${ctx.loadBalancerSeenAt}`, ms);
  ctx.loadBalancerSeenAt = id;
  return fail(id, `${what}: ${status} — ${loadBalancerAnswered} (${signs.join(', ')})${corsless}`, loadBalancerFix, ms);
}
