export interface Progress {
  /** Starts a new bar; the previous one is finished first. */
  start(label: string, total: number): void;
  tick(count?: number): void;
  finish(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const barWidth = 24;
const redrawEveryMs = 100;

/**
 * One self-overwriting line per phase (`\r` + erase to the end of the line) on a terminal, nothing otherwise:
 * logs and CI output stay free of control characters, and the summary says everything the bar did.
 */
export function progressLine(stream: ProgressStream, now: () => number = () => performance.now()): Progress {
  if (!stream.isTTY) return { start() {}, tick() {}, finish() {} };
  let label = '';
  let total = 0;
  let done = 0;
  let startedAt = 0;
  let drawnAt = -Infinity;
  let active = false;

  const draw = () => {
    drawnAt = now();
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * barWidth);
    const seconds = (drawnAt - startedAt) / 1000;
    const rate = seconds > 0 && done > 0 ? ` ${(done / seconds).toFixed(1)}/s` : '';
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${done}/${total} ${Math.round(share * 100)}%${rate}`;
    stream.write(`\r${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}\x1b[K`);
  };

  const finish = () => {
    if (!active) return;
    draw();
    stream.write('\n');
    active = false;
  };

  return {
    start(nextLabel, nextTotal) {
      finish();
      [label, total, done, startedAt, active] = [nextLabel, nextTotal, 0, now(), true];
      draw();
    },
    tick(count = 1) {
      done += count;
      if (active && now() - drawnAt >= redrawEveryMs) draw();
    },
    finish,
  };
}
