import type { DoctorContext, Outcome } from '../context.ts';
import { headerTokens, type HttpAnswer } from '../http.ts';
import { fail, pass, warn, type CheckResult } from '../report.ts';
import { describeAnswer, judgeAnswer } from './answers.ts';
import { protectedPath, subjectsPath } from './api-paths.ts';
import { missingCorsHeaders } from './cors-preflight.ts';

export const missingRoutePath = '/forum-api-doctor/no-such-route';

/** The real requests, shaped like the front end's: an empty Authorization when it has no token (§4.1). */
const frontEndRequest = (origin: string) => ({
  Origin: origin,
  Accept: 'application/json',
  'Content-Type': 'application/json',
  Authorization: '',
});

/** The answers the CORS checks read; `subjects` is also judged by the subjects check. */
export function corsProbes(ctx: DoctorContext): Record<'subjects' | 'notFound' | 'unauthenticated', Promise<Outcome>> {
  const headers = frontEndRequest(ctx.options.origin);
  return {
    subjects: ctx.fetch('subjects', subjectsPath, { headers }),
    notFound: ctx.fetch('not-found', missingRoutePath, { headers }),
    unauthenticated: ctx.fetch('unauthenticated', protectedPath, { method: 'POST', headers }),
  };
}

function judgeCorsHeaders(id: string, answer: HttpAnswer, origin: string, expectedStatus: number | undefined): CheckResult {
  const problems = missingCorsHeaders(answer, origin);
  const isError = expectedStatus !== undefined;
  if (!isError && !headerTokens(answer, 'access-control-expose-headers').includes('authorization')) {
    problems.push({ problem: 'Authorization not in Access-Control-Expose-Headers', fix: 'expose the Authorization header: the front end reads new tokens from it' });
  }
  const first = problems[0];
  if (first) {
    const fix = isError && answer.status === expectedStatus
      ? `error responses must carry the CORS headers too, or the browser shows a "CORS error" instead of the ${answer.status}: apply CORS before routing and in the error handler`
      : first.fix;
    const expected = isError && answer.status !== expectedStatus ? ` (expected a ${expectedStatus})` : '';
    return fail(id, `${describeAnswer(answer)}${expected}: ${problems.map((entry) => entry.problem).join('; ')}`, fix, answer.ms);
  }
  const evidence = `${answer.status} in ${answer.ms} ms with Access-Control-Allow-Origin ${origin}, credentials, Vary: Origin`;
  if (isError && answer.status !== expectedStatus) {
    return warn(id, `${evidence}, but expected a ${expectedStatus}: this error response was not tested`, `GET ${missingRoutePath} should be a 404 and an anonymous POST ${protectedPath} a 401`, answer.ms);
  }
  return pass(id, evidence, answer.ms);
}

/** Each check: the probe it judges, how the evidence names it, and the error status expected (none: a success). */
const corsCases: ReadonlyArray<{ id: string; probe: keyof ReturnType<typeof corsProbes>; what: string; expected: number | undefined }> = [
  { id: 'cors.get', probe: 'subjects', what: `GET ${subjectsPath}`, expected: undefined },
  { id: 'cors.error.404', probe: 'notFound', what: `GET ${missingRoutePath}`, expected: 404 },
  { id: 'cors.error.401', probe: 'unauthenticated', what: `POST ${protectedPath} without a token`, expected: 401 },
];

export const corsResponseCheckIds = corsCases.map(({ id }) => id);

export async function checkCorsResponses(ctx: DoctorContext): Promise<CheckResult[]> {
  const probes = corsProbes(ctx);
  const origin = ctx.options.origin;
  const results: CheckResult[] = [];
  for (const { id, probe, what, expected } of corsCases) {
    results.push(judgeAnswer(ctx, id, await probes[probe], what, (answer) => judgeCorsHeaders(id, answer, origin, expected)));
  }
  return results;
}
