import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appDefaults } from '../../src/alb-contract.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { listen } from '../helpers/raw-http.ts';
import { runCommand } from '../helpers/run-command.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[]; scripts: Record<string, string> };

/** Another Node than the one running the tests, found on PATH (on this project's machines, the system's Node 20). */
function otherNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    try {
      const version = execFileSync(join(dir, 'node'), ['--version'], { encoding: 'utf8' }).trim();
      if (version.split('.')[0] !== process.version.split('.')[0]) return join(dir, 'node');
    } catch {
      // no node in this directory
    }
  }
  return undefined;
}

/**
 * The package as npm installs it: node_modules/forum-api holding what `files` ships (bin/ and the dist/ that
 * `npm pack` builds first), and node_modules/.bin/forum-api-doctor a symlink to the launcher.
 */
describe('The forum-api-doctor bin, installed under node_modules', () => {
  let workspace: string;
  let bin: string;
  let t: TestApp;
  let api: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'doctor-bin-'));
    const installed = join(workspace, 'node_modules', 'forum-api');
    mkdirSync(installed, { recursive: true });
    // The build npm pack runs (prepack), written into the installed copy.
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')], { stdio: 'pipe' });
    cpSync(join(root, 'bin'), join(installed, 'bin'), { recursive: true });
    cpSync(join(root, 'package.json'), join(installed, 'package.json'));
    mkdirSync(join(workspace, 'node_modules', '.bin'));
    bin = join(workspace, 'node_modules', '.bin', 'forum-api-doctor');
    symlinkSync(join('..', 'forum-api', packageJson.bin['forum-api-doctor']!), bin);
    t = await startTestApp('pglite');
    api = await listen(t.app);
    api.server.keepAliveTimeout = appDefaults.keepAliveTimeoutMs;
  });
  after(async () => {
    await api.close();
    await t.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  /** Runs the symlink itself, so its `#!/usr/bin/env node` picks whichever node comes first on PATH. */
  const runBin = (node: string, args: string[]) => runCommand(bin, args, { PATH: [dirname(node), '/usr/bin', '/bin'].join(delimiter) });

  it('When the package is packed, then it ships the launcher and the compiled doctor', () => {
    assert.equal(packageJson.bin['forum-api-doctor'], 'bin/forum-api-doctor.js');
    assert.ok(packageJson.files.includes('bin/') && packageJson.files.includes('dist/'));
    assert.equal(packageJson.scripts.prepack, 'npm run build');
  });

  it('When the bin runs on Node 24 from node_modules, then it diagnoses the API and exits 0', async () => {
    const { code, stdout, stderr } = await runBin(process.execPath, [`http://127.0.0.1:${api.port}`, '--timeout', '3000']);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^PASS  health\.live /m);
    assert.match(stdout, /^verdict: PASS/m);
  });

  it('When the bin runs on an older Node (the system node on PATH), then it works the same', async (context) => {
    const node = otherNode();
    if (!node) {
      context.skip('no Node other than the test runner\'s on PATH');
      return;
    }
    const { code, stdout, stderr } = await runBin(node, [`http://127.0.0.1:${api.port}`, '--json', '--timeout', '3000']);
    assert.equal(code, 0, stdout + stderr);
    assert.equal(JSON.parse(stdout).verdict, 'pass');
  });

  it('When a .ts file is run from node_modules, then Node 24 refuses it: why the bin runs compiled code', async () => {
    const source = join(workspace, 'node_modules', 'forum-api', 'probe.ts');
    writeFileSync(source, 'const answer: number = 42;\nconsole.log(answer);\n');
    const { code, stderr } = await runCommand(process.execPath, [source], { PATH: process.env.PATH });
    assert.notEqual(code, 0);
    assert.match(stderr, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/);
  });

  it('When dist/ was not built, then the bin says how to build it and exits 2', async () => {
    rmSync(join(workspace, 'node_modules', 'forum-api', 'dist'), { recursive: true });
    const { code, stderr } = await runBin(process.execPath, ['http://127.0.0.1:1']);
    assert.equal(code, 2);
    assert.match(stderr, /dist\/doctor\/cli\.js is missing: run `npm run build`/);
  });
});
