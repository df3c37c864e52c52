import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewCounter } from '../../../src/features/boards/view-counter.ts';
import { memoryLogger } from '../../helpers/app.ts';

/** A database table of view counts that refuses writes while `down` is set (as an unreachable PostgreSQL does). */
function viewTable() {
  const views = new Map<number, number>();
  const table = {
    down: false,
    views,
    async addViews(bno: number, added: number) {
      if (table.down) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      views.set(bno, (views.get(bno) ?? 0) + added);
    },
  };
  return table;
}

describe('The view counter (views counted in memory, added in batches)', () => {
  it('When the database refuses a flush, then the views are kept and the next flush adds them all', async () => {
    const table = viewTable();
    const { logger, lines } = memoryLogger('warn');
    const counter = viewCounter({ addViews: table.addViews, flushEveryMs: 600_000, logger });
    for (const bno of [1, 1, 2]) await counter.count(bno);
    table.down = true;
    await counter.flush();
    assert.deepEqual([...table.views], []);
    assert.equal(counter.unwritten(1), 2);
    assert.ok(lines.some((line) => line.msg.startsWith('writing view counts failed') && line.views === 3));
    await counter.count(1);
    table.down = false;
    await counter.close();
    assert.deepEqual([...table.views].sort(), [[1, 3], [2, 1]]);
    assert.equal(counter.unwritten(1), 0);
  });

  it('When the database is still down at the stop, then the lost views are logged as an error, with their number', async () => {
    const table = viewTable();
    const { logger, lines } = memoryLogger('warn');
    const counter = viewCounter({ addViews: table.addViews, flushEveryMs: 600_000, logger });
    for (let index = 0; index < 4; index++) await counter.count(7);
    table.down = true;
    await counter.close();
    assert.ok(lines.some((line) => line.level === 'error' && line.views === 4));
  });
});
