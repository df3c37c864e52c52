// Scratch: profile subject/get on PostgreSQL and list self time by function and by package.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSchema, productionEnv, seedForum } from '../bench/lib/fixtures.ts';
import { loadRound, fromFrontEnd } from '../bench/lib/load.ts';
import { imageNodeFlags, projectNode, startServer } from '../bench/lib/processes.ts';

const path = process.argv[2] ?? '/ajax/subject/get?sid=free';
const schema = await createSchema();
const work = mkdtempSync(join(tmpdir(), 'prof-get-'));
try {
  await seedForum(schema.url, 100);
  const server = await startServer({ runtime: projectNode, script: resolve('dist/server.js'), env: { ...productionEnv, DATABASE_URL: schema.url }, cpu: 1, logFile: join(work, 'server.log'), readyPath: '/ajax/health/', nodeArgs: [...imageNodeFlags(), '--cpu-prof', `--cpu-prof-dir=${work}`, '--cpu-prof-interval=250'] });
  await loadRound({ url: server.baseUrl + path, headers: fromFrontEnd }, 50, 3, 2000);
  const r = await loadRound({ url: server.baseUrl + path, headers: fromFrontEnd }, 50, 10, 2000);
  console.log('rps', r.rps, 'non2xx', r.non2xx);
  await server.stop();
  const file = readdirSync(work).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(work, file), 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const where = url.replace(/^.*node_modules\//, 'nm:').replace(/^file:\/\/.*\/dist\//, 'dist:');
    fn.set(`${functionName || '(anon)'} ${where}:${lineNumber}`, (fn.get(`${functionName || '(anon)'} ${where}:${lineNumber}`) ?? 0) + us);
    const p = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.startsWith('node:') ? url.split('/')[0]! : url.includes('/dist/') ? 'ours' : functionName.startsWith('(') ? functionName : 'other');
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const n = r.requests;
  console.log('sampled µs/req', (total / n).toFixed(1));
  console.log([...pkg].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${k} ${(v / n).toFixed(1)}`).join('\n'));
  console.log('---');
  console.log([...fn].sort((a, b) => b[1] - a[1]).slice(0, 45).map(([k, v]) => `${(v / n).toFixed(2)} ${k}`).join('\n'));
} finally {
  await schema.drop();
}
