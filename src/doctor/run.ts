import { checkCloudflare } from './checks/cloudflare.ts';
import { checkCorsResponses, corsResponseCheckIds } from './checks/cors-responses.ts';
import { checkPreflights, preflightCheckIds } from './checks/cors-preflight.ts';
import { checkDns } from './checks/dns.ts';
import { checkHealth, healthCheckIds } from './checks/health.ts';
import { checkKeepAlive } from './checks/keep-alive.ts';
import { checkOrigin, originCheckIds } from './checks/origin.ts';
import { checkSubjects } from './checks/subjects.ts';
import { checkTarget } from './checks/target.ts';
import { checkTcp } from './checks/tcp.ts';
import { checkTls, tlsCheckIds } from './checks/tls.ts';
import { createContext, type DoctorContext } from './context.ts';
import type { DoctorOptions } from './options.ts';
import { buildReport, skip, type CheckResult, type Report } from './report.ts';

interface Step {
  /** The ids this step reports, in order; the first is its gate when `gates` is set. */
  ids: readonly string[];
  run: (ctx: DoctorContext) => Promise<CheckResult | CheckResult[]>;
  /** When the first id fails, the API checks after it cannot run. */
  gates?: boolean;
  /** Still runs when a gate failed: it reaches the --target instance, not the API's address. */
  reachesTarget?: (ctx: DoctorContext) => boolean;
}

const steps: Step[] = [
  { ids: ['dns'], run: checkDns, gates: true },
  { ids: ['tcp'], run: checkTcp, gates: true },
  { ids: tlsCheckIds, run: checkTls, gates: true },
  { ids: ['cloudflare'], run: checkCloudflare },
  { ids: healthCheckIds, run: checkHealth },
  { ids: preflightCheckIds, run: checkPreflights },
  { ids: corsResponseCheckIds, run: checkCorsResponses },
  { ids: ['subjects'], run: checkSubjects },
  { ids: ['keepalive'], run: checkKeepAlive, reachesTarget: (ctx) => ctx.options.target !== undefined },
  { ids: ['target.health'], run: checkTarget, reachesTarget: () => true },
  // Reaches the load balancer by its own name: still run when the API's name (Cloudflare) failed.
  { ids: originCheckIds, run: checkOrigin, reachesTarget: () => true },
];

/** Every check id, in the order they are reported (stable: scripts match on them). */
export const checkIds: readonly string[] = steps.flatMap((step) => step.ids);

/** Runs every check in order; a failed DNS, TCP or TLS handshake skips the API checks after it. */
export async function runDoctor(options: DoctorOptions): Promise<Report> {
  const startedAt = new Date();
  const ctx = createContext(options);
  const results: CheckResult[] = [];
  let blockedBy: string | undefined;
  try {
    for (const step of steps) {
      if (blockedBy && !step.reachesTarget?.(ctx)) {
        results.push(...step.ids.map((id) => skip(id, `not run: ${blockedBy} failed`)));
        continue;
      }
      const produced = await step.run(ctx);
      const stepResults = Array.isArray(produced) ? produced : [produced];
      results.push(...stepResults);
      if (step.gates && stepResults[0]?.status === 'fail') blockedBy ??= step.ids[0];
    }
  } finally {
    ctx.close();
  }
  const target = options.target ? `${options.target.host}:${options.target.port}` : null;
  return buildReport({ url: options.url.origin, origin: options.origin, target, startedAt, checks: results });
}
