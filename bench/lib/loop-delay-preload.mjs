// Preloaded into a benchmarked server (`node --import bench/lib/loop-delay-preload.mjs`) when
// BENCH_LOOP_DELAY_FILE is set: on SIGUSR2 it writes what the event loop went through since the last SIGUSR2
// (its delay p50/p99/max and the garbage collector's longest and total pause) to that file, then starts over.
// The benchmark reads it beside the health probes' latency, so the results say where a probe's time went.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      gcTotalMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let sequence = 0;
  // The histogram holds the intervals between its 5 ms samples: the delay is what exceeds 5 ms.
  const ms = (ns) => Math.max(0, Math.round((ns - 5e6) / 1e5) / 10);
  process.on('SIGUSR2', () => {
    sequence += 1;
    const figures = { sequence, p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max), gcMaxMs: Math.round(gcMaxMs * 10) / 10, gcTotalMs: Math.round(gcTotalMs) };
    writeFileSync(file, JSON.stringify(figures));
    delay.reset();
    gcMaxMs = 0;
    gcTotalMs = 0;
  });
}
