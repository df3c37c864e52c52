import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { releaseMemoryWhenQuiet, type CollectGarbage, type QuietRelease } from '../src/memory-release.ts';
import { v8PagesMb, v8PagesOnceAtMost } from './helpers/smaps.ts';

const MB = 1024 * 1024;

describe('The main thread after a burst', { skip: process.platform !== 'linux' && 'reads /proc/<pid>/smaps' }, () => {
  const children: ReturnType<typeof spawn>[] = [];
  after(() => children.forEach((child) => child.kill('SIGKILL')));

  it('When a burst has left freed heap pages behind and the event loop goes quiet, then they leave the process within seconds and the release is reported', async () => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('fixtures/heap-burst.ts', import.meta.url))], {
      env: { ...process.env, RELEASE: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('burst done\n')) {
      if (child.exitCode !== null) assert.fail(`the burst process exited with ${child.exitCode}`);
      await sleep(20);
    }
    const afterBurst = v8PagesMb(child.pid!);
    // Without the release, V8 keeps them: measured 74 MB still there 20 s after this burst, and no less.
    const deadline = Date.now() + 8_000;
    const afterQuiet = await v8PagesOnceAtMost(afterBurst - 20, deadline - Date.now(), child.pid!);
    assert.ok(afterQuiet <= afterBurst - 20, `V8 heap pages ${afterBurst.toFixed(1)} MB after the burst, still ${afterQuiet.toFixed(1)} MB 8 s later`);
    while (!output.includes('pauseMs') && Date.now() < deadline + 2_000) await sleep(50);
    const report = JSON.parse(output.split('\n').find((line) => line.includes('pauseMs')) ?? 'null') as { rssBeforeBytes: number; rssAfterBytes: number } | null;
    assert.ok(report !== null, `no release reported: ${output}`);
    assert.ok(report.rssAfterBytes < report.rssBeforeBytes - 20 * MB, `reported ${JSON.stringify(report)}`);
    child.kill('SIGKILL');
    await once(child, 'close');
  });
});

/** Waits until `condition` holds (a loaded machine may run the 50 ms checks late), up to 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within 5 s: ${what}`);
    await sleep(20);
  }
}

/** Holds the event loop (as a burst of requests would) for `ms`. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** A release checking every `checkEveryMs` on a given RSS, counting its collections (each taking `pauseMs`). */
function watched(pauseMs = 0, checkEveryMs = 50) {
  let rssBytes = 200 * MB;
  const collections: number[] = [];
  const releases: Parameters<QuietRelease['onRelease']>[0][] = [];
  const collect: CollectGarbage = () => {
    collections.push(rssBytes);
    busy(pauseMs);
  };
  const stop = releaseMemoryWhenQuiet({
    checkEveryMs,
    confirmMs: 20,
    quietBelow: 0.1,
    growthBytes: 10 * MB,
    workPerPause: 20,
    onRelease: (release) => releases.push(release),
    rss: () => rssBytes,
    collect,
  });
  return {
    collections,
    releases,
    stop,
    grow: (bytes: number) => (rssBytes += bytes),
    set: (bytes: number) => (rssBytes = bytes),
  };
}

describe('When to release', () => {
  const stops: (() => void)[] = [];
  after(() => stops.forEach((stop) => stop()));
  const watch = (pauseMs?: number, checkEveryMs?: number) => {
    const release = watched(pauseMs, checkEveryMs);
    stops.push(release.stop);
    return release;
  };

  it('When the process has grown by less than 10 MB, then nothing is collected however quiet it is', async () => {
    const release = watch();
    release.grow(9 * MB);
    await sleep(400);
    assert.deepEqual(release.collections, []);
  });

  it('When the process has grown by 10 MB and the loop is quiet, then one collection runs, is reported with what it left, and the next waits for another 10 MB', async () => {
    const release = watch();
    release.grow(11 * MB);
    await until(() => release.collections.length === 1, 'a collection');
    release.set(190 * MB);
    await until(() => release.releases.length === 1, 'the report');
    assert.equal(release.collections.length, 1);
    assert.deepEqual(
      release.releases.map(({ rssBeforeBytes, rssAfterBytes }) => ({ rssBeforeBytes, rssAfterBytes })),
      [{ rssBeforeBytes: 211 * MB, rssAfterBytes: 190 * MB }],
    );
    release.grow(9 * MB);
    await sleep(300);
    assert.equal(release.collections.length, 1, 'collected again below the bar');
    release.grow(2 * MB);
    await until(() => release.collections.length === 2, 'the second collection');
  });

  it('When the loop is busy, then the collection waits until it is quiet', async () => {
    const release = watch();
    release.grow(20 * MB);
    for (let turn = 0; turn < 10; turn++) {
      busy(45);
      await sleep(5);
    }
    assert.deepEqual(release.collections, [], 'collected during the burst');
    await until(() => release.collections.length === 1, 'a collection once quiet');
  });

  it('When a burst begins just before a check finds the last interval quiet, then the collection waits until the burst is over', async () => {
    const release = watch(0, 400);
    const started = performance.now();
    release.grow(20 * MB);
    // Quiet until 15 ms before the first check, then a burst of 600 ms: that check's interval is under 5 % busy.
    await sleep(385 - (performance.now() - started));
    const burstEnds = performance.now() + 600;
    while (performance.now() < burstEnds) {
      busy(4);
      await new Promise((turn) => setImmediate(turn));
    }
    assert.deepEqual(release.collections, [], 'collected during the burst');
    await until(() => release.collections.length === 1, 'a collection once quiet');
  });

  it('When the process grows again soon after a release, then the next one waits until the loop has worked 20 times the last pause', async () => {
    const release = watch(20);
    release.grow(20 * MB);
    await until(() => release.releases.length === 1, 'the first release');
    release.grow(20 * MB);
    await sleep(400);
    assert.equal(release.collections.length, 1, 'collected again before 400 ms of work');
    for (let turn = 0; turn < 12; turn++) {
      busy(45);
      await sleep(5);
    }
    await until(() => release.collections.length === 2, 'the second collection, after the work');
  });
});
