import { hashPassword } from '../features/auth/passwords.ts';

export interface HashingResult {
  hashes: string[];
  seconds: number;
}

/**
 * Hashes with the app's own scrypt, `concurrency` at a time. Each hash runs on libuv's thread pool (4 threads
 * by default) and takes 32 MiB, so more than the machine's cores only queues work and adds memory.
 */
export async function hashPasswords(passwords: string[], concurrency: number, onHashed: () => void): Promise<HashingResult> {
  const started = performance.now();
  const hashes = new Array<string>(passwords.length);
  let next = 0;
  const worker = async () => {
    while (next < passwords.length) {
      const index = next++;
      hashes[index] = await hashPassword(passwords[index]!);
      onHashed();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, passwords.length)) }, worker));
  return { hashes, seconds: (performance.now() - started) / 1000 };
}
