import { albContract } from '../../alb-contract.ts';
import { createContext, type DoctorContext } from '../context.ts';
import { elapsed } from '../deadline.ts';
import { asNetworkError, hostPort, timeoutCode, withDeadline } from '../http.ts';
import { fail, pass, skip, warn, type CheckResult } from '../report.ts';
import { judgeAnswer } from './answers.ts';
import { subjectsPath } from './api-paths.ts';
import { frontEndHeaders, judgePreflight } from './cors-preflight.ts';
import { judgeHealth } from './health.ts';
import { addressOf } from './target.ts';
import { connectOnce } from './tcp.ts';
import { handshake, judgeCertificate } from './tls.ts';

export const originCheckIds = ['origin.listener', 'origin.tls', 'origin.health', 'origin.cors'] as const;

/** The listener line: can this machine open a connection to the ALB on the port Cloudflare uses? */
async function checkListener(ctx: DoctorContext, address: string, where: string, port: number): Promise<CheckResult> {
  const started = performance.now();
  try {
    await connectOnce(address, port, ctx.options.timeoutMs);
    return pass('origin.listener', `${where} (${address}) accepts connections on ${port}`, elapsed(started));
  } catch (error) {
    const problem = asNetworkError(error, ctx.options.timeoutMs);
    if (problem.code === 'ECONNREFUSED') {
      return fail('origin.listener', `connection refused by ${where}: the load balancer has no listener on ${port}`, `add the HTTPS listener on ${port} (deploy/cdk does); while it is missing Cloudflare shows 521`, elapsed(started));
    }
    if (problem.code === timeoutCode) {
      return fail(
        'origin.listener',
        `no answer from ${where} within ${ctx.options.timeoutMs} ms: the packets are dropped`,
        "the ALB's security group drops this machine: with ingress=cloudflare (the stack's default) it admits only Cloudflare's ranges, so run this from an address it allows or add yours for the test; if Cloudflare shows 522, its own ranges are missing from the group (npm run cloudflare-ranges, then deploy)",
        elapsed(started),
      );
    }
    return fail('origin.listener', `cannot connect to ${where} (${problem.code}: ${problem.message})`, 'check the route from here to the load balancer', elapsed(started));
  }
}

/** The ALB's own certificate, asked for by the API's name (SNI), judged as Cloudflare's Full (strict) mode does. */
async function checkOriginTls(ctx: DoctorContext, address: string, port: number): Promise<CheckResult> {
  if (!ctx.secure) return skip('origin.tls', 'plain http: no certificate');
  const started = performance.now();
  try {
    const result = await handshake(address, port, ctx.hostname, ctx.options.timeoutMs);
    if (!result.leaf) return fail('origin.tls', 'the load balancer presented no certificate', 'select the ACM certificate on the HTTPS listener');
    const judged = judgeCertificate({ ...result, leaf: result.leaf }, ctx.hostname, ctx.trustedCa);
    const bad = judged.filter((check) => check.status === 'fail' || check.status === 'warn');
    const evidence = (checks: CheckResult[]) => checks.map((check) => check.evidence).join('; ');
    if (bad.length === 0) return pass('origin.tls', `${result.protocol}, the ALB's certificate for ${ctx.hostname}: ${evidence(judged)}`, elapsed(started));
    const judge = bad.some((check) => check.status === 'fail') ? fail : warn;
    return judge('origin.tls', `the ALB's certificate for ${ctx.hostname}: ${evidence(bad)} (Cloudflare shows 526 for this)`, bad[0]!.fix ?? '', elapsed(started));
  } catch (error) {
    const problem = asNetworkError(error, ctx.options.timeoutMs);
    return fail('origin.tls', `TLS handshake with the load balancer failed (${problem.code}: ${problem.message})`, `the listener on ${port} must be HTTPS with the ACM certificate (Cloudflare shows 525 otherwise)`, elapsed(started));
  }
}

/**
 * --origin-host: the load balancer probed directly, with the API's host name as SNI and Host (curl's
 * --resolve), as one does by hand to tell Cloudflare's side from AWS's: its listener, its certificate,
 * what it answers on the health path, and the front end's preflight.
 */
export async function checkOrigin(ctx: DoctorContext): Promise<CheckResult[]> {
  const originHost = ctx.options.originHost;
  if (!originHost) {
    return originCheckIds.map((id) => skip(id, "no --origin-host: behind Cloudflare, --origin-host <the ALB's DNS name> probes the load balancer directly"));
  }
  const where = hostPort(originHost.host, originHost.port);
  let address: string;
  try {
    address = await withDeadline(addressOf(ctx, originHost.host), ctx.options.timeoutMs);
  } catch (error) {
    const problem = asNetworkError(error, ctx.options.timeoutMs);
    return [
      fail('origin.listener', `${originHost.host} does not resolve (${problem.code})`, "give the ALB's DNS name: the stack's LoadBalancerDnsName output (…elb.amazonaws.com)"),
      ...originCheckIds.slice(1).map((id) => skip(id, 'not run: origin.listener failed')),
    ];
  }
  const listener = await checkListener(ctx, address, where, originHost.port);
  if (listener.status === 'fail') return [listener, ...originCheckIds.slice(1).map((id) => skip(id, 'not run: origin.listener failed'))];
  const tls = await checkOriginTls(ctx, address, originHost.port);

  // The API's URL on the ALB's port, its name resolved to the ALB: SNI and Host are the API's.
  const url = new URL(ctx.options.url.origin);
  url.port = String(originHost.port);
  const direct = createContext({ ...ctx.options, url, resolve: new Map([...ctx.options.resolve, [ctx.hostname.toLowerCase(), address]]) });
  try {
    const onAlb = `on the ALB ${where}`;
    const health = judgeAnswer(direct, 'origin.health', await direct.fetch('health', albContract.healthCheckPath), `GET ${albContract.healthCheckPath} ${onAlb}`, (answer) =>
      judgeHealth('origin.health', answer, false),
    );
    const preflight = await direct.fetch('preflight', subjectsPath, {
      method: 'OPTIONS',
      headers: { Origin: ctx.options.origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': frontEndHeaders.join(',') },
    });
    const cors = judgeAnswer(direct, 'origin.cors', preflight, `OPTIONS ${subjectsPath} ${onAlb}`, (answer) => judgePreflight('origin.cors', answer, ctx.options.origin));
    const results = [listener, tls, health, cors];
    // Cloudflare made up an error page, yet the ALB serves a good certificate and forum-api behind it.
    if (ctx.cloudflareSeenAt && results.every((check) => check.status === 'pass' || check.status === 'skip')) {
      results[3] = {
        ...cors,
        evidence: `${cors.evidence}. The ALB and forum-api are fine from here: the error in ${ctx.cloudflareSeenAt} is on Cloudflare's side (its SSL mode, origin rules, DNS target, or its addresses blocked by the ALB's security group)`,
      };
    }
    return results;
  } finally {
    direct.close();
  }
}
