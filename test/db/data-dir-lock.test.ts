import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { claimDataDir } from '../../src/db/data-dir-lock.ts';
import { StartupError } from '../../src/startup-error.ts';

describe('The claim on the embedded database directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'forum-claim-'));
  const lock = join(dir, 'forum-api.pid');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('When a running process holds the directory, then the claim fails naming the directory and that pid', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lock, `${other.pid}\n`);
      assert.throws(() => claimDataDir(dir), (error: Error) => error instanceof StartupError && error.message.includes(dir) && error.message.includes(`pid ${other.pid}`));
      assert.equal(readFileSync(lock, 'utf8').trim(), String(other.pid), "the other process's claim is left alone");
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
  });

  it('When the process that held it is gone (killed, crashed), then the claim takes the directory over, and the release frees it', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(gone, 'exit');
    writeFileSync(lock, `${gone.pid}\n`);
    const release = claimDataDir(dir);
    assert.equal(readFileSync(lock, 'utf8').trim(), String(process.pid));
    release();
    assert.equal(existsSync(lock), false);
    claimDataDir(dir)();
  });
});
