import type { BoardTable } from './tables/board.ts';
import type { EmailVerificationTable } from './tables/email-verification.ts';
import type { OAuthIdentityTable } from './tables/oauth-identity.ts';
import type { RateLimitCounterTable } from './tables/rate-limit-counter.ts';
import type { RecommendTable } from './tables/recommend.ts';
import type { RefreshTokenTable } from './tables/refresh-token.ts';
import type { SubjectTable } from './tables/subject.ts';
import type { UserTable } from './tables/user.ts';
import type { VerificationMailTotalTable } from './tables/verification-mail-total.ts';

export interface Database {
  user: UserTable;
  subject: SubjectTable;
  board: BoardTable;
  recommend: RecommendTable;
  refresh_token: RefreshTokenTable;
  email_verification: EmailVerificationTable;
  oauth_identity: OAuthIdentityTable;
  verification_mail_total: VerificationMailTotalTable;
  rate_limit_counter: RateLimitCounterTable;
}
