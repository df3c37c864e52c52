import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createPostgresSchema } from '../helpers/app.ts';
import { spawnServer, type ServerProcess } from '../helpers/server-process.ts';
import { rssMb } from '../helpers/smaps.ts';

describe('The server process after a burst of requests', { skip: process.platform !== 'linux' && 'reads /proc/<pid>/status' }, () => {
  const started: ServerProcess[] = [];
  const schemas: Array<{ drop: () => Promise<void> }> = [];
  after(async () => {
    started.forEach((server) => server.kill('SIGKILL'));
    await Promise.all(started.map((server) => server.exited));
    await Promise.all(schemas.map((schema) => schema.drop()));
  });

  it('When a burst of requests is followed by a quiet spell, then the server collects its garbage once and logs what it gave back', async (t) => {
    // PostgreSQL, as in production (the embedded database's start-up memory would hide the burst's).
    const schema = await createPostgresSchema();
    schemas.push(schema);
    const server = await spawnServer({ DATABASE_URL: schema.url });
    started.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    const before = rssMb(server.child.pid!);
    await Promise.all(
      Array.from({ length: 32 }, async (_, reader) => {
        for (let turn = 0; turn < 150; turn++) {
          const path = turn % 2 === 0 ? '/ajax/subject/all' : `/ajax/subject/get?sid=s${reader}x${turn}`;
          const answer = await fetch(base + path);
          await answer.arrayBuffer();
          assert.ok(answer.status === 200 || answer.status === 404, `${path}: ${answer.status}`);
        }
      }),
    );
    const afterBurst = rssMb(server.child.pid!);
    const releases = () => server.logs.filter((line) => line.msg === 'quiet after a burst: collected garbage so memory goes back to the system');
    const deadline = Date.now() + 10_000;
    while (releases().length === 0 && Date.now() < deadline) await sleep(100);
    const [release] = releases();
    assert.ok(release !== undefined, `no release logged within 10 s of the burst (RSS ${before.toFixed(1)} MB before it, ${afterBurst.toFixed(1)} MB after)`);
    t.diagnostic(`RSS ${before.toFixed(1)} MB before the burst, ${afterBurst.toFixed(1)} MB after it; released ${String(release.rssBeforeMb)} → ${String(release.rssAfterMb)} MB, pause ${String(release.pauseMs)} ms`);
    assert.equal(typeof release.pauseMs, 'number');
    assert.ok((release.rssAfterMb as number) < (release.rssBeforeMb as number), `logged ${JSON.stringify(release)}`);
    // Quiet from here on: nothing has grown since, so no second one.
    await sleep(3_000);
    assert.equal(releases().length, 1);
  });
});
