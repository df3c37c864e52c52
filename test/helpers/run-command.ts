import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** Runs a command to its end, killed after `timeoutMs`, and collects its exit code and output. */
export async function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': it comes after the output streams have ended, so nothing written is lost.
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
