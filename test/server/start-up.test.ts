import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { imageMallocTunables, imageNodeFlags } from '../../bench/lib/processes.ts';
import { createPostgresSchema, testSecret } from '../helpers/app.ts';
import { runServerToExit, spawnServer } from '../helpers/server-process.ts';
import { accepts, freePort } from '../ops/harness/ports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Polls until `check` holds, for at most `timeoutMs`; answers whether it did. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return check();
}

describe('Starting and stopping the server the way the README says', () => {
  const directories: string[] = [];
  after(async () => {
    await Promise.all(directories.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('When started with `npm start`, then Node gets the same flags and malloc settings as the Docker image (the memory and start-up figures are measured with those)', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts.start, [`GLIBC_TUNABLES=${imageMallocTunables().GLIBC_TUNABLES}`, 'exec node', ...imageNodeFlags(), 'src/server.ts'].join(' '));
  });

  it('When `npm start` itself gets SIGTERM (kill <its pid>), then the node server stops with it and the port is free again', async () => {
    const port = await freePort();
    // A process group of its own, so whatever outlives npm can still be found and killed afterwards.
    const npm = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: 'memory://', JWT_SECRET: testSecret, NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
    });
    try {
      assert.ok(await eventually(() => accepts(port), 60_000), 'npm start listens');
      const npmExited = once(npm, 'exit');
      npm.kill('SIGTERM');
      assert.ok(await eventually(async () => !(await accepts(port)), 15_000), 'the server stopped listening after npm got SIGTERM');
      await npmExited;
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // The group is gone: nothing outlived npm.
      }
    }
  });

  it('When a second server starts on the embedded database directory another process is using, then it stops at once with one line naming the directory and the other pid', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'forum-api-'));
    directories.push(dataDir);
    // The directory's claim held by a live process, as a running server holds it (src/db/data-dir-lock.ts).
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dataDir, 'forum-api.pid'), `${holder.pid}\n`);
      const second = await runServerToExit({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: testSecret, NODE_ENV: 'test' }, 60_000);
      assert.equal(second.code, 1);
      const lines = second.stderr.trim().split('\n');
      assert.equal(lines.length, 1, second.stderr);
      assert.ok(lines[0]!.includes(dataDir), lines[0]);
      assert.ok(lines[0]!.includes(`pid ${holder.pid}`), lines[0]);
      assert.doesNotMatch(second.stdout, /database opened/, 'it never opened the database');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('When DATABASE_URL points at a server that is not there, then start-up fails with one line naming DATABASE_URL (password masked) and the cause', async () => {
    const { code, stdout, stderr } = await runServerToExit({
      DATABASE_URL: 'postgres://forum:hunter2-secret@127.0.0.1:1/forum',
      PORT: '0',
      JWT_SECRET: testSecret,
      NODE_ENV: 'test',
    });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /DATABASE_URL=postgres:\/\/forum:\*\*\*@127\.0\.0\.1:1\/forum: connect ECONNREFUSED 127\.0\.0\.1:1$/m);
    assert.doesNotMatch(stdout + stderr, /hunter2/);
    assert.doesNotMatch(stdout, /database opened|"stack"/);
  });

  it('When APP_TIME_ZONE names no zone the database knows, then start-up fails with one line naming the variable', async () => {
    const { code, stdout, stderr } = await runServerToExit({ DATA_DIR: 'memory://', APP_TIME_ZONE: 'Mars/Olympus_Mons', PORT: '0', JWT_SECRET: testSecret, NODE_ENV: 'test' }, 60_000);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^forum-api: failed to start: APP_TIME_ZONE=Mars\/Olympus_Mons: the database knows no time zone of that name/);
    assert.doesNotMatch(stdout, /"listening"/);
  });
});

/** Forwards loopback connections on `port` to PostgreSQL, from the moment it is started: the database "coming back". */
async function forwardTo(target: URL, port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('APP_TIME_ZONE on a server started while its database was away (MIGRATE_ON_START=false)', () => {
  for (const [zone, known] of [['Mars/Olympus_Mons', false], ['asia/seoul', true]] as const) {
    it(known
      ? `When the database comes back and knows ${zone}, then the server keeps serving`
      : `When the database comes back and does not know ${zone}, then the server logs why and stops with exit code 1`, async () => {
      const schema = await createPostgresSchema();
      const port = await freePort();
      const viaForwarder = new URL(schema.url);
      viaForwarder.port = String(port);
      const server = await spawnServer({ DATABASE_URL: viaForwarder.toString(), MIGRATE_ON_START: 'false', DB_PROBE_INTERVAL_MS: '100', APP_TIME_ZONE: zone });
      const forwarder = await forwardTo(new URL(schema.url), port);
      try {
        const ready = () => fetch(`http://127.0.0.1:${server.port}/ajax/health/ready`).then((res) => res.status === 200, () => false);
        if (known) {
          assert.ok(await eventually(ready, 10_000), 'readiness turns 200 once the database is back');
          await sleep(1000);
          assert.equal(server.child.exitCode, null, 'still running');
        } else {
          const ended = await Promise.race([server.exited, sleep(10_000).then(() => undefined)]);
          assert.deepEqual(ended, { code: 1, signal: null });
          const fatal = server.logs.find((line) => line.level === 'fatal');
          assert.match(String(fatal?.msg), /^APP_TIME_ZONE=Mars\/Olympus_Mons: the database knows no time zone of that name/);
        }
      } finally {
        server.kill('SIGKILL');
        await server.exited;
        await forwarder.close();
        await schema.drop();
      }
    });
  }
});
