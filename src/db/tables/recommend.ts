import type { Generated } from 'kysely';

export const recommendTableName = 'recommend';

export interface RecommendTable {
  rno: Generated<number>;
  bno: number;
  user_id: string;
}
