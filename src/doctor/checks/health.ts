import { albContract, readinessPath } from '../../alb-contract.ts';
import type { DoctorContext } from '../context.ts';
import type { HttpAnswer } from '../http.ts';
import { fail, pass, warn, type CheckResult } from '../report.ts';
import { describeAnswer, fromOurServer, judgeAnswer } from './answers.ts';

interface HealthBody {
  status?: unknown;
  output?: unknown;
  checks?: Record<string, Array<{ status?: unknown; output?: unknown }>>;
}

function parse(answer: HttpAnswer): HealthBody | undefined {
  try {
    const body: unknown = JSON.parse(answer.body);
    return typeof body === 'object' && body !== null ? (body as HealthBody) : undefined;
  } catch {
    return undefined;
  }
}

/** The first failing dependency's own words (the database probe's error), for the evidence. */
function failingDependency(body: HealthBody): string | undefined {
  for (const [name, entries] of Object.entries(body.checks ?? {})) {
    const failing = entries.find((entry) => entry.status !== 'pass');
    if (failing) return `${name.split(':')[0]}: ${String(failing.output ?? failing.status)}`;
  }
  return typeof body.output === 'string' ? body.output : undefined;
}

/** Judges one health answer; `strict` is readiness (the database counts), else liveness (what the ALB probes). */
export function judgeHealth(id: string, answer: HttpAnswer, strict: boolean): CheckResult {
  const body = parse(answer);
  const seen = `${describeAnswer(answer)}, body status ${body ? String(body.status) : 'not JSON'}`;
  if (answer.status === 200 && body?.status === 'pass') return pass(id, seen, answer.ms);
  if (answer.status === 200) {
    return warn(id, `${seen}: 200, but not forum-api's health answer`, 'another service answers this path: check which application the target group forwards to', answer.ms);
  }
  if (!fromOurServer(answer)) {
    return fail(id, `${seen}: not forum-api's answer`, `the target group must forward to forum-api on ${albContract.targetPort}`, answer.ms);
  }
  const reason = body ? failingDependency(body) : undefined;
  if (answer.status === 503 && reason?.startsWith('draining')) {
    return fail(id, `${seen}: the server is draining after SIGTERM`, 'expected during a deploy for SHUTDOWN_DRAIN_MS; if it lasts, the process is stuck shutting down: restart it', answer.ms);
  }
  if (answer.status === 503 && strict) {
    return fail(id, `${seen}: ${reason ?? 'a dependency is down'}`, 'the database is unreachable: check DATABASE_URL and the database (liveness stays 200, so the ALB keeps the target)', answer.ms);
  }
  return fail(id, `${seen}: the ALB's matcher (${albContract.healthyHttpCodes}) marks this target unhealthy`, `the health path must be ${albContract.healthCheckPath}, public, answering 200`, answer.ms);
}

const healthChecks = [
  { id: 'health.live', path: albContract.healthCheckPath, strict: false },
  { id: 'health.ready', path: readinessPath, strict: true },
] as const;

export const healthCheckIds = healthChecks.map(({ id }) => id);

export async function checkHealth(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { id, path, strict } of healthChecks) {
    const outcome = await ctx.fetch(id, path);
    results.push(judgeAnswer(ctx, id, outcome, `GET ${path}`, (answer) => judgeHealth(id, answer, strict)));
  }
  return results;
}
