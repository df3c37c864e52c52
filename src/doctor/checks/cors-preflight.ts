import type { DoctorContext } from '../context.ts';
import { header, headerTokens, type HttpAnswer } from '../http.ts';
import { fail, pass, type CheckResult } from '../report.ts';
import { describeAnswer, judgeAnswer } from './answers.ts';
import { protectedPath, subjectsPath } from './api-paths.ts';

/** What the original front end sends on every call (forum-api.md §4.1): a JSON body type and a token. */
export const frontEndHeaders = ['authorization', 'content-type'];

export const preflights = [
  { id: 'cors.preflight.get', method: 'GET', path: subjectsPath },
  { id: 'cors.preflight.post', method: 'POST', path: protectedPath },
] as const;

export const preflightCheckIds = preflights.map(({ id }) => id);

/** The headers every answer to the front end needs; a name per missing one, with its fix. */
export function missingCorsHeaders(answer: HttpAnswer, origin: string): Array<{ problem: string; fix: string }> {
  const missing: Array<{ problem: string; fix: string }> = [];
  const allowOrigin = header(answer, 'access-control-allow-origin');
  if (allowOrigin !== origin) {
    missing.push({
      problem: allowOrigin === undefined ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin is ${allowOrigin}, not ${origin}`,
      fix: `add ${origin} to CORS_ORIGINS`,
    });
  }
  if (header(answer, 'access-control-allow-credentials') !== 'true') {
    missing.push({ problem: 'no Access-Control-Allow-Credentials: true', fix: "allow credentials (the front end fetches with credentials: 'include')" });
  }
  const vary = headerTokens(answer, 'vary');
  if (!vary.includes('origin') && !vary.includes('*')) {
    missing.push({ problem: 'no Vary: Origin', fix: 'send Vary: Origin, or a cache may serve one origin\'s answer to another' });
  }
  return missing;
}

/** Judged as the browser does: a 2xx whose headers allow this origin, credentials and the request headers. */
export function judgePreflight(id: string, answer: HttpAnswer, origin: string): CheckResult {
  const problems = missingCorsHeaders(answer, origin);
  if (answer.status < 200 || answer.status > 299) {
    problems.unshift({ problem: `the preflight answered ${answer.status}, not 2xx`, fix: 'answer OPTIONS in the CORS layer, before authentication and routing' });
  }
  const allowed = headerTokens(answer, 'access-control-allow-headers');
  const refused = frontEndHeaders.filter((name) => !allowed.includes(name));
  if (refused.length > 0) {
    problems.push({ problem: `request header${refused.length > 1 ? 's' : ''} ${refused.join(', ')} not allowed`, fix: 'allow the Authorization and Content-Type request headers' });
  }
  const first = problems[0];
  if (first) return fail(id, `${describeAnswer(answer)}: ${problems.map((entry) => entry.problem).join('; ')} — the browser reports a CORS error`, first.fix, answer.ms);
  const maxAge = header(answer, 'access-control-max-age');
  return pass(id, `${answer.status} in ${answer.ms} ms: allows ${origin} with credentials and ${frontEndHeaders.join(', ')}${maxAge ? ` (cached ${maxAge} s)` : ''}`, answer.ms);
}

export async function checkPreflights(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { id, method, path } of preflights) {
    const outcome = await ctx.fetch(id, path, {
      method: 'OPTIONS',
      headers: { Origin: ctx.options.origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': frontEndHeaders.join(',') },
    });
    results.push(judgeAnswer(ctx, id, outcome, `OPTIONS ${path} (preflight of ${method})`, (answer) => judgePreflight(id, answer, ctx.options.origin)));
  }
  return results;
}
