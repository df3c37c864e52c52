/**
 * `npm test`: the default tier. Starts (or finds) the run's PostgreSQL once, then runs the test files in two
 * passes with node:test, each file in a process of its own:
 *
 * 1. every file except those below, as many at a time as the machine has cores;
 * 2. the files that measure time on a real clock, one at a time, with the machine to themselves: they assert
 *    what production promises within a deadline (a second signal exits at once, hostile posts are cleaned
 *    within the sanitizer's time budget while health probes stay fast, another instance sees an invalidation
 *    within 100 ms), and a neighbouring test file competing for the same cores made them fail where the
 *    server was not at fault.
 *
 * `npm test -- <file> …` runs just those files, one at a time. Exits 1 when any test failed.
 */
import { existsSync, globSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { tierSetup } from './setup/tiers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Files that time something on the wall clock: run after the others, alone. */
const timedAlone = [
  'test/server/server-process.test.ts',
  'test/content/hostile-posts.test.ts',
  'test/http/shared-state.test.ts',
];

const missing = timedAlone.filter((file) => !existsSync(resolve(root, file)));
if (missing.length > 0) {
  process.stderr.write(`test/run.ts names files that do not exist: ${missing.join(', ')}\n`);
  process.exit(1);
}

const given = process.argv.slice(2);
const all = (given.length > 0 ? given : ['test/**/*.test.ts'])
  .flatMap((pattern) => globSync(pattern, { cwd: root }))
  .map((file) => relative(root, resolve(root, file)))
  .sort();
if (all.length === 0) {
  process.stderr.write(`no test file matches ${given.join(' ')}\n`);
  process.exit(1);
}

const passes: Array<{ title: string; files: string[]; concurrency: number }> =
  given.length > 0
    ? [{ title: `${all.length} file(s), one at a time`, files: all, concurrency: 1 }]
    : [
        { title: `${all.length - timedAlone.length} files, ${availableParallelism()} at a time`, files: all.filter((file) => !timedAlone.includes(file)), concurrency: availableParallelism() },
        { title: `${timedAlone.length} files that measure time, one at a time`, files: timedAlone, concurrency: 1 },
      ];

const { globalSetup, globalTeardown } = tierSetup('default');
await globalSetup();
try {
  for (const pass of passes) {
    process.stdout.write(`\n▶ npm test: ${pass.title}\n`);
    const stream = run({
      cwd: root,
      files: pass.files.map((file) => resolve(root, file)),
      concurrency: pass.concurrency,
    });
    stream.on('test:fail', () => (process.exitCode = 1));
    for await (const chunk of stream.compose(new spec())) process.stdout.write(chunk as string);
  }
} finally {
  await globalTeardown();
}
