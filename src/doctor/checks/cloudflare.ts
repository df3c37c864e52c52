import { albContract } from '../../alb-contract.ts';
import type { DoctorContext } from '../context.ts';
import { fail, pass, skip, warn, type CheckResult } from '../report.ts';
import { cloudflareSign, fromOurServer, judgeAnswer, loadBalancerSigns, notOursFix } from './answers.ts';

/**
 * Whether Cloudflare proxies the API, read from the health answer (cf-ray, Server: cloudflare). Behind it
 * the tls lines judge Cloudflare's edge certificate, never the ALB's, and its 52x pages are explained here,
 * in AWS terms, once; the HTTP checks after it point back to this line.
 */
export async function checkCloudflare(ctx: DoctorContext): Promise<CheckResult> {
  const outcome = await ctx.fetch('health.live', albContract.healthCheckPath);
  if (!outcome.ok) return skip('cloudflare', 'not judged: no answer (see health.live)');
  const answer = outcome.answer;
  const sign = cloudflareSign(answer);
  if (!sign) return skip('cloudflare', 'not proxied by Cloudflare (no cf-ray, no Server: cloudflare)');
  const edgeCertificate = "the tls lines judge Cloudflare's edge certificate, not the ALB's";
  const behind = ctx.options.originHost ? 'the origin.* lines check the ALB itself' : "--origin-host <the ALB's DNS name> checks the ALB's own";
  const proxied = `proxied by Cloudflare (${sign}): ${edgeCertificate}; ${behind}`;
  if (fromOurServer(answer)) return pass('cloudflare', `${proxied}; forum-api answers through it`);
  if (loadBalancerSigns(answer)) return pass('cloudflare', `${proxied}; it passed on the load balancer's own ${answer.status} page (see health.live)`);
  const edge = judgeAnswer(ctx, 'cloudflare', outcome, `GET ${albContract.healthCheckPath}`, () =>
    warn('cloudflare', `${proxied}; Cloudflare answered ${answer.status} itself, not forum-api (no X-Request-Id)`, notOursFix(answer), answer.ms),
  );
  // A 52x page: its own paragraph (the fix already names --origin-host), then what the tls lines saw.
  if (edge.status !== 'fail') return edge;
  const originLines = ctx.options.originHost ? ' (the origin.* lines check the ALB itself)' : '';
  return fail('cloudflare', `${edge.evidence}. Note: ${edgeCertificate}${originLines}`, edge.fix ?? '', edge.durationMs);
}
