import { albContract } from '../../alb-contract.ts';
import type { DoctorContext, Outcome } from '../context.ts';
import { asNetworkError, hostPort, lookupWith, send, timeoutCode, withDeadline, type NetworkError } from '../http.ts';
import { fail, pass, skip, type CheckResult } from '../report.ts';
import { judgeHealth } from './health.ts';

const healthCheckTimeoutMs = albContract.healthCheckTimeoutSeconds * 1000;

/** A host's address: --resolve, an IP as given, or the system resolver (the instance's, the ALB's). */
export function addressOf(ctx: DoctorContext, host: string): Promise<string> {
  return new Promise((resolve, reject) =>
    lookupWith(ctx.options.resolve)(host, {}, (error, address) => (error ? reject(error) : resolve(String(address)))),
  );
}

/** GET the health path on the instance, as the ALB's health checker does: HTTP, its user agent, Host ip:port. */
export function probeTarget(ctx: DoctorContext): Promise<Outcome> | undefined {
  const target = ctx.options.target;
  if (!target) return undefined;
  return ctx.once('target', async (): Promise<Outcome> => {
    try {
      const address = await withDeadline(addressOf(ctx, target.host), ctx.options.timeoutMs);
      const host = hostPort(address, target.port);
      const answer = await send(
        { ...ctx.transport, timeoutMs: healthCheckTimeoutMs },
        { url: new URL(`http://${host}${albContract.healthCheckPath}`), headers: { 'User-Agent': 'ELB-HealthChecker/2.0', Host: host } },
      );
      return { ok: true, answer };
    } catch (error) {
      return { ok: false, error: asNetworkError(error, healthCheckTimeoutMs) };
    }
  });
}

function explainFailure(problem: NetworkError, where: string): CheckResult {
  if (problem.code === 'ECONNREFUSED') {
    return fail(
      'target.health',
      `connection refused by ${where}: nothing listens there, so the ALB marks this target unhealthy`,
      `the target group's port must be the app's PORT (${albContract.targetPort}); if it is, the app is down: systemctl status forum-api`,
    );
  }
  if (problem.code === timeoutCode) {
    return fail(
      'target.health',
      `no answer from ${where} within ${healthCheckTimeoutMs} ms (the ALB's health-check timeout)`,
      `the instance's security group must allow ${albContract.targetPort} from the ALB's security group; from here, also from this machine`,
    );
  }
  return fail('target.health', `cannot reach ${where} (${problem.code}: ${problem.message})`, 'check the address: use the instance\'s private IP and port, as registered in the target group');
}

export async function checkTarget(ctx: DoctorContext): Promise<CheckResult> {
  const probe = probeTarget(ctx);
  const target = ctx.options.target;
  if (!probe || !target) return skip('target.health', `no --target: probe an instance directly with --target <private-ip>:${albContract.targetPort}`);
  const outcome = await probe;
  const where = `${target.host}:${target.port}`;
  if (!outcome.ok) return explainFailure(outcome.error, where);
  const judged = judgeHealth('target.health', outcome.answer, false);
  if (judged.status !== 'pass') return judged;
  // Set by judgeAnswer in the API checks before this one, the first time the load balancer answered (a fail).
  const verdict = ctx.loadBalancerSeenAt
    ? `: the instance is healthy, so the fault is between the ALB and it (the target group's health-check path and port, or the security group rule ALB → ${albContract.targetPort})`
    : ': healthy as the ALB sees it';
  return pass('target.health', `GET http://${where}${albContract.healthCheckPath} as ELB-HealthChecker/2.0: ${judged.evidence}${verdict}`, judged.durationMs);
}
