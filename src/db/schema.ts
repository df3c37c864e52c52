import type { BoardTable } from './tables/board.ts';
import type { RecommendTable } from './tables/recommend.ts';
import type { SubjectTable } from './tables/subject.ts';
import type { UserTable } from './tables/user.ts';

export interface Database {
  user: UserTable;
  subject: SubjectTable;
  board: BoardTable;
  recommend: RecommendTable;
}
