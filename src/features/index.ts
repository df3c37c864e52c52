import type { Db } from '../db/index.ts';
import type { AnyRoute } from '../http/routes.ts';
import { accountRepository } from './accounts/repository.ts';
import { accountRoutes } from './accounts/routes.ts';
import { accountService } from './accounts/service.ts';
import { subjectRepository } from './subjects/repository.ts';
import { subjectRoutes } from './subjects/routes.ts';
import { subjectService } from './subjects/service.ts';

export interface FeatureDependencies {
  db: Db;
}

/** Wires each feature's repository → service → routes. */
export function featureRoutes({ db }: FeatureDependencies): AnyRoute[] {
  return [...subjectRoutes(subjectService(subjectRepository(db))), ...accountRoutes(accountService(accountRepository(db)))];
}
