import { it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { startCluster } from './harness/cluster.ts';
import { idleReuseRound } from './harness/idle-reuse.ts';
it('scratch', { timeout: 90000 }, async (t) => {
  const lanes = Array.from({ length: Number(process.env.L ?? 52) }, (_, i) => ({ idleMs: 4390 + i * 2.5, label: 'x' }));
  const cluster = await startCluster({ size: 1, serverEnv: { KEEP_ALIVE_TIMEOUT_MS: '3500', HEADERS_TIMEOUT_MS: '4500' }, haproxy: { poolPurgeDelayMs: 600, lanes: lanes.length } });
  try {
    const r = await idleReuseRound(cluster.haproxy, lanes, Number(process.env.N ?? 16), '/ajax/subject/all');
    t.diagnostic(String(r.flatMap((l) => l.failures).length));
    writeFileSync('/tmp/hx/haplog.txt', cluster.haproxy.logs.join('\n'));
  } finally { await cluster.stop(); }
});
