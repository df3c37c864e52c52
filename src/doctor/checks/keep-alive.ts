import { albContract, appDefaults } from '../../alb-contract.ts';
import type { DoctorContext, Outcome } from '../context.ts';
import { header, headerTokens } from '../http.ts';
import { fail, pass, skip, warn, type CheckResult } from '../report.ts';
import { fromOurServer, loadBalancerSigns } from './answers.ts';
import { probeTarget } from './target.ts';

const idle = albContract.idleTimeoutSeconds;

/**
 * The server must keep idle connections open longer than the ALB does, or the ALB may send a request on
 * a connection the server is closing: a 502 now and then, never reproducible. Read from the instance when
 * --target is given (an ALB does not pass the Keep-Alive header on).
 */
export async function checkKeepAlive(ctx: DoctorContext): Promise<CheckResult> {
  const fromTarget = probeTarget(ctx);
  const [source, outcome]: [string, Outcome] = fromTarget
    ? ['the instance (--target)', await fromTarget]
    : [ctx.options.url.origin, await ctx.fetch('health.live', albContract.healthCheckPath)];
  if (!outcome.ok) return skip('keepalive', `not run: no answer from ${source}`);
  const answer = outcome.answer;
  if (loadBalancerSigns(answer)) {
    return skip('keepalive', `not judged: the load balancer answered, not the server; --target <instance-ip>:${albContract.targetPort} reads it from an instance`);
  }
  if (!fromOurServer(answer)) {
    return skip('keepalive', `not judged: not forum-api's answer (no X-Request-Id); --target <instance-ip>:${albContract.targetPort} reads it from an instance`);
  }
  if (headerTokens(answer, 'connection').includes('close')) {
    return warn('keepalive', `${source} closes the connection after each answer (Connection: close)`, 'the server is draining after SIGTERM, or keep-alive is off; it should last only a deploy');
  }
  const timeout = /timeout=(\d+)/i.exec(header(answer, 'keep-alive') ?? '')?.[1];
  if (timeout === undefined) {
    return skip('keepalive', `${source} does not advertise a Keep-Alive timeout (load balancers do not pass it on); --target <instance-ip>:${albContract.targetPort} reads it from an instance`);
  }
  const seconds = Number(timeout);
  if (seconds <= idle) {
    return fail(
      'keepalive',
      `${source} closes idle connections after ${seconds} s, before the ALB's ${idle} s idle timeout: the ALB can reuse a connection the server just closed (random 502s)`,
      `set KEEP_ALIVE_TIMEOUT_MS above ${idle * 1000} (the default is ${appDefaults.keepAliveTimeoutMs})`,
    );
  }
  return pass('keepalive', `${source} keeps idle connections ${seconds} s, longer than the ALB's ${idle} s idle timeout`);
}
