import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine } from '../../src/import/progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 100, written, write: (text: string) => written.push(text) };
}

describe('The import progress line', () => {
  it('When stderr is a terminal, then each phase redraws one line with \\r and ends it with a newline', () => {
    const tty = stream(true);
    let clock = 0;
    const progress = progressLine(tty, () => clock);
    progress.start('hashing passwords', 4);
    clock = 1000;
    progress.tick(2);
    progress.start('writing', 10);
    progress.finish();
    const output = tty.written.join('');
    assert.match(output, /^\rhashing passwords \[-{24}\] 0\/4 0%\x1b\[K/);
    assert.match(output, /\rhashing passwords \[#{12}-{12}\] 2\/4 50% 2\.0\/s\x1b\[K/);
    assert.equal(output.split('\n').length - 1, 2, 'one finished line per phase');
    assert.match(output, /writing \[-{24}\] 0\/10 0%\x1b\[K\n$/);
  });

  it('When redraws come faster than 10 per second, then they are skipped', () => {
    const tty = stream(true);
    const progress = progressLine(tty, () => 0);
    progress.start('reading board', 1000);
    for (let index = 0; index < 1000; index += 1) progress.tick();
    assert.equal(tty.written.length, 1);
  });

  it('When stderr is not a terminal (a pipe, CI), then nothing is written', () => {
    const pipe = stream(false);
    const progress = progressLine(pipe);
    progress.start('writing', 3);
    progress.tick(3);
    progress.finish();
    assert.deepEqual(pipe.written, []);
  });
});
