import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../helpers/run-command.ts';

// The tools tier (npm run test:tools) checks that systemd-analyze is installed before this runs.
const unitText = readFileSync(new URL('../../deploy/forum-api.service', import.meta.url), 'utf8');

describe('The systemd unit through systemd-analyze verify (deploy/forum-api.service)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'unit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * verify refuses an ExecStart binary that does not exist, and this machine has no /opt/node-24: the copy
   * runs this machine's Node 24 instead, which changes nothing else. It does not look up User=, so the
   * forum-api user need not exist. verify exits 0 on "ignoring" warnings, so any output is a failure.
   */
  async function verify(text: string, name = 'forum-api.service') {
    const path = join(dir, name);
    writeFileSync(path, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
    return runCommand('systemd-analyze', ['verify', path], { PATH: process.env.PATH }, 30_000);
  }

  it('When the unit is verified, then systemd reports nothing', async () => {
    const { code, stdout, stderr } = await verify(unitText);
    assert.equal(code, 0, stderr);
    assert.equal(`${stdout}${stderr}`.trim(), '');
  });

  it('When a directive is misspelt or a value invalid, then the same verification reports it (the check can fail)', async () => {
    const broken = unitText.replace('TimeoutStopSec=70', 'TimeoutStopSec=seventy').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes');
    const { stderr } = await verify(broken, 'broken.service');
    assert.match(stderr, /Failed to parse .*seventy/);
    assert.match(stderr, /Unknown key 'NoNewPrivilege'/);
  });
});
