import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { TaggedJson } from '../http/revalidated.ts';
import { responseCache } from '../http/response-cache.ts';
import type { AnyRoute } from '../http/routes.ts';
import { accountRepository } from './accounts/repository.ts';
import { accountRoutes } from './accounts/routes.ts';
import { accountService } from './accounts/service.ts';
import { postDateFormatter } from './boards/dates.ts';
import { boardRepository } from './boards/repository.ts';
import { boardRoutes } from './boards/routes.ts';
import { boardService, type BoardPage, type InTransaction } from './boards/service.ts';
import { subjectRepository } from './subjects/repository.ts';
import { subjectRoutes } from './subjects/routes.ts';
import { subjectService } from './subjects/service.ts';

export interface FeatureDependencies {
  db: Db;
  config: Config;
}

/** Wires each feature's repository → service → routes. */
export function featureRoutes({ db, config }: FeatureDependencies): AnyRoute[] {
  const accounts = accountService(accountRepository(db));
  // Every page of the front end lists the subjects, which change a few times a year.
  const listing = responseCache<TaggedJson>({ maxAgeMs: config.subjectListCacheMs, maxEntries: 1 });
  const subjects = subjectService({ subjects: subjectRepository(db), accounts, listing });
  // A post's number comes from its subject's row: both features' repositories join one transaction.
  const inTransaction: InTransaction = (work) =>
    db.transaction().execute((trx) =>
      work({ boards: boardRepository(trx), subjects: subjectService({ subjects: subjectRepository(trx), accounts, listing }) }),
    );
  // List pages are read far more often than posts are written: a brief cache takes most reads off the database.
  const pages = responseCache<BoardPage>({ maxAgeMs: config.boardListCacheMs, maxEntries: 1000 });
  const boards = boardService({ boards: boardRepository(db), accounts, inTransaction, formatDate: postDateFormatter(config.timeZone), pages });
  return [...subjectRoutes(subjects), ...boardRoutes(boards), ...accountRoutes(accounts)];
}
