import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { prepareDatabase } from '../../src/db/index.ts';
import { unpackInitialImage } from '../../src/db/initial-image.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { seedSubjects } from '../../src/db/seed.ts';
import { memoryLogger } from '../helpers/app.ts';

describe('The initial database image a first start unpacks (db-image/initial.tar.gz)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forum-image-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('When a new data directory is opened, then it is the image, at the latest migration and seeded, without running one (else: npm run db:image)', async () => {
    const dataDir = join(dir, 'data');
    const { logger, lines } = memoryLogger('info');
    // No migrations at start: what the image holds is what a first start gets before any migration runs.
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, MIGRATE_ON_START: 'false', LOG_LEVEL: 'info' });
    const { database, probe } = await prepareDatabase(config.database, logger);
    try {
      assert.ok(lines.some((line) => line.msg.startsWith('new embedded database: unpacked the initial image')));
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
      assert.deepEqual(applied.rows.map((row) => row.name), Object.keys(migrations), 'the image is behind the migrations: run npm run db:image');
      const subjects = await database.db.selectFrom('subject').select('id').orderBy('id').execute();
      assert.deepEqual(subjects.map((row) => row.id), seedSubjects.map((subject) => subject.id).sort());
    } finally {
      probe.stop();
      await database.close();
    }
    assert.ok(!(await readdir(dataDir)).includes('postmaster.pid'), 'the image brings no pid file of the process that made it');
  });

  it('When the image holds an entry other than a file or a directory, then unpacking refuses it, naming it', async () => {
    const header = Buffer.alloc(512);
    header.write('pgdata/link', 0, 'latin1');
    header.write('00000000000', 124, 'latin1');
    header.write('2', 156, 'latin1');
    const image = join(dir, 'odd.tar.gz');
    await writeFile(image, gzipSync(Buffer.concat([header, Buffer.alloc(1024)])));
    assert.throws(() => unpackInitialImage(join(dir, 'odd'), image), /unexpected entry type "2" for pgdata\/link/);
  });
});
