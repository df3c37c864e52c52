import type { Generated } from 'kysely';

export interface RecommendTable {
  rno: Generated<number>;
  bno: number;
  user_id: string;
}
