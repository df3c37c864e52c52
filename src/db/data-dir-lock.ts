import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../startup-error.ts';

const lockName = 'forum-api.pid';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the embedded database directory for this process: two processes on the same PGlite files corrupt
 * them. The claim is a file holding the owner's pid, created atomically (a hard link of a file already
 * written, so nobody reads it half-written); a claim whose process is gone (killed, crashed) is taken over.
 * Answers the release, which also runs if the process exits without it.
 */
export function claimDataDir(dir: string): () => void {
  const lock = join(dir, lockName);
  const draft = join(dir, `${lockName}.${process.pid}`);
  writeFileSync(draft, `${process.pid}\n`);
  try {
    for (;;) {
      try {
        linkSync(draft, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      // Our own pid is a claim left by an earlier life of this container (pid 1 again after a restart).
      if (owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new StartupError(`the embedded database in ${dir} is in use by another process (pid ${owner}): stop that one, or set DATA_DIR to another directory`);
      }
      unlinkSync(lock);
    }
  } finally {
    unlinkSync(draft);
  }
  const release = () => {
    process.off('exit', release);
    try {
      if (Number.parseInt(readFileSync(lock, 'utf8'), 10) === process.pid) unlinkSync(lock);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return release;
}
