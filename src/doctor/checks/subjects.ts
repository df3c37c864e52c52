import type { DoctorContext } from '../context.ts';
import { fail, pass, type CheckResult } from '../report.ts';
import { describeAnswer, judgeAnswer } from './answers.ts';
import { subjectsPath } from './api-paths.ts';
import { corsProbes } from './cors-responses.ts';

/** The front page's first call: it must be a 200 with a JSON array, or the page stays empty. */
export async function checkSubjects(ctx: DoctorContext): Promise<CheckResult> {
  const outcome = await corsProbes(ctx).subjects;
  return judgeAnswer(ctx, 'subjects', outcome, `GET ${subjectsPath}`, (answer) => {
    if (answer.status !== 200) {
      return fail('subjects', `${describeAnswer(answer)}: the front page cannot list the subjects`, 'read the server log for this request id', answer.ms);
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body)) {
      return fail('subjects', `200 in ${answer.ms} ms, but the body is not a JSON array`, 'something other than forum-api answers this path', answer.ms);
    }
    return pass('subjects', `200 in ${answer.ms} ms, a JSON array of ${body.length} subject${body.length === 1 ? '' : 's'}`, answer.ms);
  });
}
