import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { constants, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createLogger, flushLogger, logBatch, logDestination, logFormatFor, requestLineRedaction } from '../src/logger.ts';

/** A destination that keeps what is written. */
function memorySink(): { sink: Writable; written: () => string } {
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      callback();
    },
  });
  return { sink, written: () => written };
}

describe('Logging', () => {
  it('When LOG_FORMAT is auto, then a terminal outside production gets readable lines, and a pipe or production gets JSON', () => {
    assert.equal(logFormatFor('auto', false, true), 'pretty');
    assert.equal(logFormatFor('auto', false, false), 'json');
    assert.equal(logFormatFor('auto', true, true), 'json');
    assert.equal(logFormatFor('json', false, true), 'json');
    assert.equal(logFormatFor('pretty', true, false), 'pretty');
  });

  it('When the format is pretty, then a line reads as time, level and message with its fields, not as JSON, and secrets stay redacted', () => {
    const { sink, written } = memorySink();
    createLogger('info', sink, 'pretty').info({ address: '0.0.0.0:8080', user: { password: 'hunter22' } }, 'listening');
    const line = written();
    assert.match(line, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO.*: listening .*"address":"0\.0\.0\.0:8080"/);
    assert.throws(() => JSON.parse(line));
    assert.ok(!line.includes('hunter22'));
  });

  it("When a request's line carries a secret under err, body, user or at the top, then it is redacted", () => {
    const { sink, written: text } = memorySink();
    const requestLines = createLogger('info', sink).child({}, { redact: requestLineRedaction });
    requestLines.info(
      { err: { message: 'failed', password: 'hunter22' }, body: { refreshToken: 'rt-secret' }, user: { token: 't-secret' }, pw: 'abc123' },
      'a handler line',
    );
    const written = text();
    const line = JSON.parse(written) as Record<string, Record<string, string>>;
    assert.equal(line.err?.password, '[Redacted]');
    assert.equal(line.err?.message, 'failed');
    assert.equal(line.body?.refreshToken, '[Redacted]');
    assert.equal(line.user?.token, '[Redacted]');
    assert.equal(line.pw, '[Redacted]');
    for (const secret of ['hunter22', 'rt-secret', 't-secret', 'abc123']) assert.ok(!written.includes(secret), secret);
  });

  it('When the log destination stops reading, then lines past the 16 MB buffer are dropped instead of piling up in memory', async () => {
    // A FIFO nobody reads: once its 64 KB are full, every write would wait forever.
    const fifo = join(mkdtempSync(join(tmpdir(), 'forum-log-')), 'stalled');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const destination = logDestination(fd);
    let dropped = 0;
    destination.sink.on('drop', (batch: string) => (dropped += batch.split('\n').length - 1));
    const logger = createLogger('info', destination);
    const filler = 'x'.repeat(1000);
    try {
      for (let line = 0; line < 20_000; line++) logger.info({ filler }, 'a line');
      assert.ok(dropped > 2_000, `${dropped} lines dropped`);
    } finally {
      // The destination retries its stalled write every 100 ms; closing it ends that (the retry then fails quietly).
      destination.sink.on('error', () => undefined);
      destination.sink.destroy();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it('When lines are logged over several turns of the event loop, then they reach the file together in one write within the batch wait', async (t) => {
    const file = join(mkdtempSync(join(tmpdir(), 'forum-log-')), 'server.log');
    const fd = openSync(file, 'a');
    const destination = logDestination(fd);
    const logger = createLogger('info', destination);
    let writes = 0;
    const write = fs.write;
    // Counts the writes the real destination makes on this file; each still goes to the file.
    t.mock.method(fs, 'write', (...args: Parameters<typeof fs.write>) => {
      if (args[0] === fd) writes++;
      return (write as (...a: unknown[]) => void)(...args);
    });
    for (let line = 0; line < 20; line++) {
      logger.info({ line }, 'a request');
      await nextTurn();
    }
    await sleep(logBatch.waitMs * 5);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 20);
    assert.deepEqual(lines.map((line) => (JSON.parse(line) as { line: number }).line), [...Array(20).keys()]);
    // 20 lines in well under the batch wait: one write (two if the turns outlasted it on a slow machine).
    assert.ok(writes >= 1 && writes <= 2, `${writes} writes`);
  });

  it('When the process is about to exit, then flushLogger writes the lines still waiting for their batch', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forum-log-')), 'server.log');
    const logger = createLogger('info', logDestination(openSync(file, 'a')));
    logger.info('last line before exit');
    assert.equal(readFileSync(file, 'utf8'), '');
    flushLogger(logger);
    assert.match(readFileSync(file, 'utf8'), /last line before exit/);
  });

  it('When a process ends on its own right after logging, then its last line is still written', () => {
    const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
    const script = `import { createLogger } from ${JSON.stringify(logger)}; createLogger('info').info('last words');`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(output, /"msg":"last words"/);
  });
});
