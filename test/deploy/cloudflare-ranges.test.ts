import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cloudflareRanges } from '../../src/http/cloudflare-ranges.ts';
import { listen } from '../helpers/raw-http.ts';
import { runCommand } from '../helpers/run-command.ts';

const staleAfterDays = 183;
const dataFile = fileURLToPath(new URL('../../src/http/cloudflare-ranges.ts', import.meta.url));
const script = fileURLToPath(new URL('../../deploy/update-cloudflare-ranges.ts', import.meta.url));

describe("Cloudflare's published ranges (src/http/cloudflare-ranges.ts)", () => {
  it(`When the lists were last checked more than ${staleAfterDays} days ago, then this fails: run npm run cloudflare-ranges -- --write`, () => {
    const ageDays = (Date.now() - Date.parse(`${cloudflareRanges.checked}T00:00:00Z`)) / 86_400_000;
    assert.ok(ageDays >= 0, `checked ${cloudflareRanges.checked} is in the future`);
    assert.ok(ageDays <= staleAfterDays, `Cloudflare's ranges were last checked ${cloudflareRanges.checked} (${Math.floor(ageDays)} days ago): run \`npm run cloudflare-ranges -- --write\`, then redeploy the CDK stack`);
  });

  it('When read, then every entry is a CIDR of its family', () => {
    for (const [family, ranges] of [[4, cloudflareRanges.ipv4], [6, cloudflareRanges.ipv6]] as const) {
      for (const range of ranges) {
        const [address, prefix] = range.split('/');
        assert.equal(isIP(address!), family, range);
        assert.ok(Number(prefix) > 0 && Number(prefix) <= (family === 4 ? 32 : 128), range);
      }
    }
  });

  it('When the update script reads a changed list, then it names the change, exits 1 and with --write rewrites the file with today\'s date', async () => {
    const published = { result: { ipv4_cidrs: [...cloudflareRanges.ipv4.slice(1), '192.0.2.0/24'], ipv6_cidrs: [...cloudflareRanges.ipv6] } };
    const api = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(published));
    });
    const dir = mkdtempSync(join(tmpdir(), 'cf-ranges-'));
    const copy = join(dir, 'cloudflare-ranges.ts');
    writeFileSync(copy, readFileSync(dataFile, 'utf8'));
    try {
      const env = { PATH: process.env.PATH, CLOUDFLARE_IPS_URL: `http://127.0.0.1:${api.port}/client/v4/ips` };
      const run = await runCommand(process.execPath, [script, '--write', '--file', copy], env, 30_000);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /\+ ipv4 192\.0\.2\.0\/24/);
      assert.match(run.stdout, new RegExp(`- ipv4 ${cloudflareRanges.ipv4[0]!.replace(/\./g, '\\.')}`));
      const { cloudflareRanges: written } = (await import(`${copy}?${Date.now()}`)) as { cloudflareRanges: typeof cloudflareRanges };
      assert.deepEqual(written.ipv4, published.result.ipv4_cidrs);
      assert.deepEqual(written.ipv6, published.result.ipv6_cidrs);
      assert.equal(written.checked, new Date().toISOString().slice(0, 10));
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
