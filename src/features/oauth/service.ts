import { z } from 'zod';
import { text } from '../../http/fields.ts';
import type { User } from '../accounts/schemas.ts';
import type { AccountService } from '../accounts/service.ts';
import { authLevel } from '../auth/roles.ts';
import type { OAuthClient } from './client.ts';
import { oauthProviderNames, type OAuthProviderName } from '../../config.ts';
import type { ProviderProfile } from './providers.ts';
import type { OAuthIdentityRepository } from './repository.ts';

/** What the authorization redirect stored in the signed state cookie. */
export const pendingAuthorization = z.object({
  provider: z.enum(oauthProviderNames),
  state: text().min(1),
  codeVerifier: text().min(1).optional(),
});

export type PendingAuthorization = z.infer<typeof pendingAuthorization>;

const callbackQuery = z.object({ code: text().min(1), state: text().min(1) });

export class OAuthLoginFailure extends Error {}

export function oauthService(identities: OAuthIdentityRepository, accounts: AccountService) {
  /**
   * The account a provider login signs in as: the one already linked to this provider account; else an
   * existing verified account with the same address, if the provider verified it; else a new account.
   */
  async function accountFor(provider: OAuthProviderName, profile: ProviderProfile): Promise<User> {
    const linkedId = await identities.findUserId(provider, profile.providerUserId);
    const linked = linkedId === undefined ? undefined : await accounts.findById(linkedId);
    if (linked) return linked;

    const verifiedEmail = profile.emailVerified && profile.email ? profile.email : null;
    if (verifiedEmail) await accounts.releaseStaleEmail(verifiedEmail);
    const holder = verifiedEmail ? await accounts.findByEmail(verifiedEmail) : undefined;
    // An unverified holder may be someone who typed another person's address: linking would hand them the account.
    const linkable = holder && holder.auth >= authLevel.verified;
    const user = linkable ? holder : await accounts.createForOAuth(holder ? null : verifiedEmail);

    await identities.link(provider, profile.providerUserId, user.id);
    // A concurrent callback for the same provider account may have linked it first: its account wins.
    const ownerId = await identities.findUserId(provider, profile.providerUserId);
    if (ownerId === user.id) return user;
    const owner = ownerId === undefined ? undefined : await accounts.findById(ownerId);
    if (!owner) throw new OAuthLoginFailure(`the ${provider} account could not be linked (the account has another ${provider} login)`);
    return owner;
  }

  return {
    /** Checks the callback against the pending authorization, asks the provider who it is, and finds the account. */
    async complete(client: OAuthClient, provider: OAuthProviderName, query: unknown, pending: PendingAuthorization | undefined): Promise<User> {
      const callback = callbackQuery.safeParse(query);
      if (!callback.success) throw new OAuthLoginFailure(`${provider} sent no code (the user may have declined)`);
      if (!pending || pending.provider !== provider || pending.state !== callback.data.state) {
        throw new OAuthLoginFailure(`${provider} callback state does not match the pending authorization`);
      }
      const profile = await client.profile(callback.data.code, pending.codeVerifier);
      return accountFor(provider, profile);
    },
  };
}

export type OAuthService = ReturnType<typeof oauthService>;
