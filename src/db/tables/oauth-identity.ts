import type { ColumnType } from 'kysely';

/** A provider account (google/naver/kakao user id) that signs in as one of our users. */
export interface OAuthIdentityTable {
  provider: 'google' | 'naver' | 'kakao';
  provider_user_id: string;
  user_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}
