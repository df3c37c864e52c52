import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { DoctorContext } from '../context.ts';
import { elapsed } from '../deadline.ts';
import { asNetworkError, timeoutCode, withDeadline } from '../http.ts';
import { fail, pass, type CheckResult } from '../report.ts';

/** Resolves the API's host the way the operating system does for a browser (getaddrinfo). */
export async function checkDns(ctx: DoctorContext): Promise<CheckResult> {
  const host = ctx.hostname;
  if (isIP(host) !== 0) {
    ctx.addresses = [host];
    return pass('dns', `${host} is an IP address: nothing to resolve`);
  }
  const pinned = ctx.options.resolve.get(host.toLowerCase());
  if (pinned !== undefined) {
    ctx.addresses = [pinned];
    return pass('dns', `${host} → ${pinned} (from --resolve: DNS not consulted)`);
  }
  const started = performance.now();
  try {
    const found = await withDeadline(dns.lookup(host, { all: true }), ctx.options.timeoutMs);
    ctx.addresses = found.map((entry) => entry.address);
    return pass('dns', `${host} → ${ctx.addresses.join(', ')}`, elapsed(started));
  } catch (error) {
    const problem = asNetworkError(error, ctx.options.timeoutMs);
    const evidence =
      problem.code === timeoutCode
        ? `no DNS answer for ${host} within ${ctx.options.timeoutMs} ms`
        : `${host} does not resolve (${problem.code})`;
    return fail('dns', evidence, `create or fix the DNS record: ${host} should be an alias (A/AAAA) of the load balancer's DNS name`, elapsed(started));
  }
}
