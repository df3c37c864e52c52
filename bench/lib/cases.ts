import { fromFrontEnd, loadRound, watchingServer, type LoadTarget, type Round } from './load.ts';
import { adversarialRound } from './adversarial.ts';
import { mixRound } from './mix.ts';
import type { ServerDelays } from './server-delays.ts';

/** One thing the benchmark measures: a check that the server answers it as intended, then timed rounds. */
export interface BenchCase {
  name: string;
  /** Sends the request once and says what is wrong with the answer (undefined: all good). */
  check(): Promise<string | undefined>;
  round(seconds: number): Promise<Round>;
}

type Expectation = (res: Response, text: string) => string | undefined;

async function problemWith(target: LoadTarget, expect: Expectation): Promise<string | undefined> {
  const res = await fetch(target.url, { method: target.method ?? 'GET', headers: target.headers, body: target.body });
  return expect(res, await res.text());
}

const status = (wanted: number): Expectation => (res, text) => (res.status === wanted ? undefined : `answered ${res.status}: ${text.slice(0, 200)}`);

const all = (...expectations: Expectation[]): Expectation => (res, text) => {
  for (const expectation of expectations) {
    const problem = expectation(res, text);
    if (problem !== undefined) return problem;
  }
  return undefined;
};

const sameBody = (expected: string): Expectation => (_res, text) => (text === expected ? undefined : `served another body: ${text.slice(0, 120)}`);

/** A server under test: where it listens, and its CPU clock. */
export interface Served {
  base: string;
  cpuMs: () => number;
}

function loadCase(name: string, server: Served, target: LoadTarget, connections: number, expect: Expectation): BenchCase {
  target = { ...target, headers: { ...fromFrontEnd, ...target.headers } };
  return {
    name,
    check: () => problemWith(target, expect),
    round: (seconds) => watchingServer(server.cpuMs, () => loadRound(target, connections, seconds)),
  };
}

/** A baseline server answering the subjects JSON: it must serve exactly the bytes ours does. */
export function baselineCase(name: string, server: Served, subjectsJson: string, connections: number): BenchCase {
  return loadCase(name, server, { url: `${server.base}/ajax/subject/all` }, connections, all(status(200), sameBody(subjectsJson)));
}

/** The floor under our uncached one-row read: `rowJson` is what ours answers for subject "free", byte for byte. */
export const rowFloorName = 'express ceiling + one pg row: GET /ajax/subject/get';

export function rowFloorCase(server: Served, rowJson: string, connections: number): BenchCase {
  return loadCase(rowFloorName, server, { url: `${server.base}/ajax/subject/get?sid=free` }, connections, all(status(200), sameBody(rowJson)));
}

export interface OurServer extends Served {
  /** postgres | pglite */
  database: string;
  /** A valid access token of the seeded user. */
  token: string;
  subjectsJson: string;
  /** Posts seeded in "free" (PostgreSQL only). */
  posts?: number;
  /** Tokens of the adversarial row's accounts (PostgreSQL only). */
  attackerTokens?: string[];
  /** Where the server's time goes (event-loop delay, GC, waiting for a core), noted beside the mix's probes. */
  delays?: ServerDelays;
}

export const ourName = (what: string, database: string) => `ours ${what} (${database})`;

/** The cases measured on our server; board routes only where the benchmark seeded posts. */
export function ourCases(server: OurServer, connections: number): BenchCase[] {
  const { base, database, token, subjectsJson, posts, attackerTokens = [], delays } = server;
  const name = (what: string) => ourName(what, database);
  const cases = [
    loadCase(name('GET /ajax/health/'), server, { url: `${base}/ajax/health/` }, connections, status(200)),
    loadCase(name('GET /ajax/subject/all'), server, { url: `${base}/ajax/subject/all` }, connections, all(status(200), sameBody(subjectsJson))),
  ];
  if (posts === undefined) return cases;
  const withToken = { Authorization: token };
  const account = { url: `${base}/ajax/account/`, method: 'POST' as const };
  const boardList = `${base}/ajax/board/list?sid=free&page=1`;
  const mix: BenchCase = {
    name: name('ALB-like mix (probes + traffic)'),
    check: () => problemWith({ url: boardList }, status(200)),
    round: (seconds) => watchingServer(server.cpuMs, () => mixRound(base, connections, seconds, delays)),
  };
  const adversarial: BenchCase = {
    name: name('adversarial: hostile post content, health probes alongside'),
    check: async () => (await problemWith({ url: `${base}/ajax/health/` }, status(200))) ?? (attackerTokens.length > 0 ? undefined : 'no attacker accounts seeded'),
    round: (seconds) => watchingServer(server.cpuMs, () => adversarialRound(base, attackerTokens, seconds)),
  };
  return [
    ...cases,
    loadCase(name('GET /ajax/subject/all with a valid token'), server, { url: `${base}/ajax/subject/all`, headers: withToken }, connections, all(status(200), sameBody(subjectsJson))),
    loadCase(name('public one-row GET /ajax/subject/get'), server, { url: `${base}/ajax/subject/get?sid=free` }, connections, status(200)),
    // Also checked without the token: it must really be protected, and the token must really be valid.
    {
      ...loadCase(name('protected one-row POST /ajax/account/'), server, { ...account, headers: withToken }, connections, status(200)),
      check: async () => (await problemWith(account, status(401))) ?? (await problemWith({ ...account, headers: withToken }, status(200))),
    },
    loadCase(name('GET /ajax/board/list?sid=free&page=1'), server, { url: boardList }, connections, all(status(200), (res, text) => {
      const items = (JSON.parse(text) as unknown[]).length;
      const total = res.headers.get('X-Total-Count');
      return items === 30 && total === String(posts) ? undefined : `${items} posts on the page, X-Total-Count ${total}`;
    })),
    loadCase(name('GET /ajax/board/read?bno=2'), server, { url: `${base}/ajax/board/read?bno=2` }, connections, status(200)),
    mix,
    adversarial,
  ];
}
