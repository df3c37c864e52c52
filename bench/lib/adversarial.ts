import type { AccessTokens } from '../../src/features/auth/access-token.ts';
import { hostileHtml } from '../../test/fixtures/hostile-html.ts';
import { fromFrontEnd, run, toRound, type Round } from './load.ts';
import { healthProbes } from './mix.ts';

/** Accounts the adversarial row posts as (seeded by fixtures.ts), so per-account write limits do not end it early. */
export const attackers = Array.from({ length: 20 }, (_, index) => `attack${String(index + 1).padStart(2, '0')}`);

/** An access token for each of the attackers, to pass to adversarialRound. */
export const issueAttackerTokens = (tokens: AccessTokens): Promise<string[]> =>
  Promise.all(attackers.map((id) => tokens.issue({ id, role: 'ROLE_USER_CERT' })));

/**
 * The adversarial row: the posts of test/fixtures/hostile-html.ts (content that costs an HTML sanitizer far
 * more than its size), three at a time, each from another account and client address, with ALB health probes
 * alongside. Its req/s are hostile posts answered (400, 413 or 200); the note has the probes' latency, which
 * must stay where it is without the attack (the event loop never cleans HTML itself).
 */
export async function adversarialRound(base: string, tokens: string[], seconds: number): Promise<Round> {
  let sent = 0;
  const [posts, probes] = await Promise.all([
    run({
      url: base,
      connections: 3,
      duration: seconds,
      timeout: 20,
      requests: hostileHtml.map(({ name, html }) => ({
        method: 'POST' as const,
        path: '/ajax/board/create',
        headers: { ...fromFrontEnd, 'Content-Type': 'application/json' },
        body: JSON.stringify({ sid: 'free', title: name, content: html, pw: null }),
        setupRequest: (request) => {
          sent += 1;
          const attacker = sent % tokens.length;
          return { ...request, headers: { ...request.headers, Authorization: tokens[attacker]!, 'X-Forwarded-For': `198.51.100.${attacker + 1}` } };
        },
      })),
    }),
    healthProbes(base, seconds),
  ]);
  const statuses = Object.entries(posts.statusCodeStats ?? {}).map(([code, { count }]) => `${code}×${count}`).join(' ');
  const note = `hostile posts answered ${statuses}; health probes alongside: p50 ${probes.latency.p50} ms, p99 ${probes.latency.p99} ms, max ${probes.latency.max} ms, non-2xx ${probes.non2xx}`;
  // The posts' 400/413 answers are the intended ones; only the probes' failures count as errors here.
  return { ...toRound(posts, note), non2xx: probes.non2xx, errors: posts.errors + probes.errors };
}
