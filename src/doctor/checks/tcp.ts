import { connect } from 'node:net';
import { albContract } from '../../alb-contract.ts';
import type { DoctorContext } from '../context.ts';
import { elapsed } from '../deadline.ts';
import { asNetworkError, hostPort, timeoutCode, withDeadline, type NetworkError } from '../http.ts';
import { fail, pass, type CheckResult } from '../report.ts';

/** Opens a TCP connection and closes it; bounded by the timeout. */
export function connectOnce(host: string, port: number, timeoutMs: number): Promise<void> {
  const socket = connect({ host, port });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return withDeadline(connected, timeoutMs).finally(() => socket.destroy());
}

/** Why a connection failed, and what to do about it, for the API's address or an instance's. */
function explainConnectFailure(problem: NetworkError, where: string, timeoutMs: number, behindLoadBalancer: boolean): { evidence: string; fix: string } {
  if (problem.code === 'ECONNREFUSED') {
    return {
      evidence: `connection refused by ${where}: nothing listens on that port`,
      fix: behindLoadBalancer
        ? 'the load balancer needs a listener on this port (HTTPS 443)'
        : `start the server, or use the port it listens on (PORT; the target group uses ${albContract.targetPort})`,
    };
  }
  if (problem.code === timeoutCode) {
    return {
      evidence: `no answer from ${where} within ${timeoutMs} ms: the packets are dropped`,
      fix: 'a security group or network ACL drops this traffic: allow it (the ALB: 443 from anywhere; the instance: 8080 from the ALB\'s security group)',
    };
  }
  return { evidence: `cannot connect to ${where} (${problem.code}: ${problem.message})`, fix: 'check the route from here to that address (VPC, subnet, internet gateway)' };
}

export async function checkTcp(ctx: DoctorContext): Promise<CheckResult> {
  const address = ctx.addresses[0] ?? ctx.hostname;
  const where = hostPort(address, ctx.port);
  const started = performance.now();
  try {
    await connectOnce(address, ctx.port, ctx.options.timeoutMs);
    return pass('tcp', `connected to ${where}`, elapsed(started));
  } catch (error) {
    const { evidence, fix } = explainConnectFailure(asNetworkError(error, ctx.options.timeoutMs), where, ctx.options.timeoutMs, ctx.secure);
    return fail('tcp', evidence, fix, elapsed(started));
  }
}
