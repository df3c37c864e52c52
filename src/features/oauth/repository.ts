import type { Db } from '../../db/index.ts';
import type { OAuthProviderName } from '../../config.ts';

export function oauthIdentityRepository(db: Db) {
  return {
    findUserId: async (provider: OAuthProviderName, providerUserId: string) =>
      (
        await db
          .selectFrom('oauth_identity')
          .select('user_id')
          .where('provider', '=', provider)
          .where('provider_user_id', '=', providerUserId)
          .executeTakeFirst()
      )?.user_id,

    /** Does nothing when a concurrent callback linked the same provider account first. */
    link: (provider: OAuthProviderName, providerUserId: string, userId: string) =>
      db
        .insertInto('oauth_identity')
        .values({ provider, provider_user_id: providerUserId, user_id: userId })
        .onConflict((conflict) => conflict.doNothing())
        .execute(),
  };
}

export type OAuthIdentityRepository = ReturnType<typeof oauthIdentityRepository>;
