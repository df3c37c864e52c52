import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, logDestination, logFormatFor, requestLineRedaction } from '../src/logger.ts';

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
    const destination = logDestination(fd) as ReturnType<typeof logDestination> & NodeJS.EventEmitter & { destroy(): void };
    let dropped = 0;
    destination.on('drop', () => dropped++);
    const logger = createLogger('info', destination);
    const filler = 'x'.repeat(1000);
    try {
      for (let line = 0; line < 20_000; line++) logger.info({ filler }, 'a line');
      assert.ok(dropped > 2_000, `${dropped} lines dropped`);
    } finally {
      // The destination retries its stalled write every 100 ms; closing it ends that (the retry then fails quietly).
      destination.on('error', () => undefined);
      destination.destroy();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
