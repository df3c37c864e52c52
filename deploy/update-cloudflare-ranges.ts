// `npm run cloudflare-ranges [-- --write]`: compares src/http/cloudflare-ranges.ts with the ranges Cloudflare
// publishes now. Exit 0: the same (with --write, `checked` becomes today); 1: they differ (with --write the
// file is rewritten: redeploy the CDK stack and restart the servers); 2: Cloudflare could not be asked.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cloudflareRanges } from '../src/http/cloudflare-ranges.ts';

const source = process.env.CLOUDFLARE_IPS_URL ?? 'https://api.cloudflare.com/client/v4/ips';
const fileOption = process.argv.indexOf('--file');
const file = fileOption > 0 ? process.argv[fileOption + 1]! : fileURLToPath(new URL('../src/http/cloudflare-ranges.ts', import.meta.url));
const write = process.argv.includes('--write');

interface Published {
  result?: { ipv4_cidrs?: unknown; ipv6_cidrs?: unknown };
}

const cidrs = (value: unknown): string[] => {
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === 'string' && entry.includes('/'))) {
    throw new Error(`unexpected answer from ${source}`);
  }
  return value as string[];
};

/** The data file with new lists and date; everything around the lists (the comment) is kept. */
function rewritten(text: string, ipv4: string[], ipv6: string[], today: string): string {
  const list = (entries: string[]) => `[\n${entries.map((entry) => `    '${entry}',`).join('\n')}\n  ]`;
  return text
    .replace(/checked: '[^']*'/, `checked: '${today}'`)
    .replace(/ipv4: \[[^\]]*\]/, `ipv4: ${list(ipv4)}`)
    .replace(/ipv6: \[[^\]]*\]/, `ipv6: ${list(ipv6)}`);
}

function differences(kind: string, known: readonly string[], published: string[]): string[] {
  const added = published.filter((entry) => !known.includes(entry)).map((entry) => `  + ${kind} ${entry}`);
  const removed = known.filter((entry) => !published.includes(entry)).map((entry) => `  - ${kind} ${entry}`);
  return [...added, ...removed];
}

let published: { ipv4: string[]; ipv6: string[] };
try {
  const res = await fetch(source, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${source} answered ${res.status}`);
  const body = (await res.json()) as Published;
  published = { ipv4: cidrs(body.result?.ipv4_cidrs), ipv6: cidrs(body.result?.ipv6_cidrs) };
} catch (error) {
  process.stderr.write(`cloudflare-ranges: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const changes = [...differences('ipv4', cloudflareRanges.ipv4, published.ipv4), ...differences('ipv6', cloudflareRanges.ipv6, published.ipv6)];
process.stdout.write(changes.length === 0 ? `unchanged since ${cloudflareRanges.checked}\n` : `Cloudflare's ranges changed:\n${changes.join('\n')}\n`);
if (write) {
  const today = new Date().toISOString().slice(0, 10);
  writeFileSync(file, rewritten(readFileSync(file, 'utf8'), published.ipv4, published.ipv6, today));
  process.stdout.write(`${file}: checked ${today}${changes.length === 0 ? '' : ': redeploy the CDK stack and restart the servers'}\n`);
}
process.exit(changes.length === 0 ? 0 : 1);
