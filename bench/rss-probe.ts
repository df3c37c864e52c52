// Where our server's memory is, and when it goes back: `taskset -c 0 npx node bench/rss-probe.ts [--env=K=V …]
// [<node flag> …]` starts dist/server.js on a throw-away PostgreSQL schema (the image's node flags and malloc
// settings, then the given flags and environment), runs 3 rounds of the ALB-like mix, 3 rounds of the hostile
// posts, waits idle (1, 10, 20 and 40 s), runs the mix twice more, and prints the RSS at each point broken down by
// mapping from /proc/<pid>/smaps: the Node binary's pages (with how much of the ICU data built into it is resident), V8's 256 kB heap pages (every isolate's: the main
// thread's and the sanitizer thread's), malloc's heaps (brk `[heap]`, thread arenas: anonymous mappings of
// 256 kB to 64 MB) and the rest.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAccessTokens } from '../src/features/auth/access-token.ts';
import { adversarialRound, issueAttackerTokens } from './lib/adversarial.ts';
import { benchSecret, createSchema, productionEnv, seedForum } from './lib/fixtures.ts';
import { mixRound } from './lib/mix.ts';
import { imageNodeFlags, projectNode, rssMbOf, startServer } from './lib/processes.ts';
import { icuDataResidentMb } from '../test/helpers/smaps.ts';

const args = process.argv.slice(2);
const nodeFlags = args.filter((arg) => arg.startsWith('--') && !arg.startsWith('--env='));
const extraEnv = Object.fromEntries(args.filter((arg) => arg.startsWith('--env=')).map((arg) => arg.slice('--env='.length).split(/=(.*)/s, 2) as [string, string]));

/** A mapping's kind, from its name or, for anonymous mappings, its size. */
function kindOf(name: string, sizeKb: number): string {
  if (name.startsWith('/')) return /\/node$/.test(name) ? 'node binary' : 'other files';
  if (name !== '') return name;
  if (sizeKb === 256) return 'V8 pages (256 kB)';
  if (sizeKb > 256 && sizeKb <= 64 * 1024) return 'malloc arenas (256 kB–64 MB)';
  return sizeKb < 256 ? 'anonymous < 256 kB' : 'anonymous > 64 MB';
}

function breakdown(pid: number): string {
  const kinds = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      kind = kindOf(mapping[3]!, (parseInt(mapping[2]!, 16) - parseInt(mapping[1]!, 16)) / 1024);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss !== null) kinds.set(kind, (kinds.get(kind) ?? 0) + Number(rss[1]));
  }
  return [...kinds]
    .filter(([, kb]) => kb >= 1024)
    .sort((a, b) => b[1] - a[1])
    .map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}${name === 'node binary' ? ` (ICU data ${icuDataResidentMb(pid).toFixed(1)})` : ''}`)
    .join(', ');
}

const schema = await createSchema();
const work = mkdtempSync(join(tmpdir(), 'rss-probe-'));
try {
  await seedForum(schema.url, 3000);
  const attackerTokens = await issueAttackerTokens(createAccessTokens(benchSecret));
  const server = await startServer({
    runtime: projectNode,
    script: resolve('dist/server.js'),
    env: { ...productionEnv, DATABASE_URL: schema.url, ...extraEnv },
    cpu: 1,
    logFile: join(work, 'server.log'),
    readyPath: '/ajax/health/',
    nodeArgs: [...imageNodeFlags(), ...nodeFlags],
  });
  const pid = server.child.pid!;
  const report = (point: string) => console.log(`${point}: RSS ${rssMbOf(pid).toFixed(1)} MB (${breakdown(pid)})`);
  try {
    report('after start');
    for (let round = 0; round < 3; round++) await mixRound(server.baseUrl, 50, 5);
    report('after the mix');
    for (let round = 0; round < 3; round++) console.log(`  ${(await adversarialRound(server.baseUrl, attackerTokens, 5)).note}`);
    report('after the hostile posts');
    let idle = 0;
    for (const until of [1, 10, 20, 40]) {
      await new Promise((waited) => setTimeout(waited, (until - idle) * 1000));
      idle = until;
      report(`idle ${until} s`);
    }
    for (let round = 0; round < 2; round++) await mixRound(server.baseUrl, 50, 5);
    report('after the mix again');
  } finally {
    await server.stop();
  }
} finally {
  await schema.drop();
}
