import { errors } from '../../http/errors.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { AccountService } from '../accounts/service.ts';
import { digestOf, newOpaqueToken } from '../auth/opaque-tokens.ts';
import { authLevel } from '../auth/roles.ts';
import type { AuthService } from '../auth/service.ts';
import type { EmailVerificationRepository } from './repository.ts';

export const verificationKeyLifetimeMs = 30 * 60 * 1000;

/** Verification mails one address receives, ever, whoever asks: sign-ups with someone else's address cannot flood it. */
export const verificationMailsPerAddress = 5;

export interface EmailVerificationDependencies {
  verifications: EmailVerificationRepository;
  accounts: AccountService;
  auth: AuthService;
  mailer: Mailer;
  frontUrl: string;
}

/** The front end's page /auth/email/<id>/<key> reads both from the path and calls verify with them. */
export function verificationLink(frontUrl: string, userId: string, key: string): string {
  return `${frontUrl}/auth/email/${encodeURIComponent(userId)}/${key}`;
}

export function emailVerificationService({ verifications, accounts, auth, mailer, frontUrl }: EmailVerificationDependencies) {
  return {
    /** Mails the caller a single-use link valid for 30 minutes. */
    async sendLink(userId: string): Promise<void> {
      const user = await accounts.findById(userId);
      if (!user) throw errors.accountNotFound();
      if (user.auth >= authLevel.verified) throw errors.emailAlreadyVerified();
      if (!user.email) throw errors.noEmailAddress();
      if (!(await verifications.countMail(user.email, verificationMailsPerAddress))) throw errors.verificationMailsExhausted(verificationMailsPerAddress);
      const key = newOpaqueToken();
      await verifications.insert({
        id: digestOf(key),
        user_id: user.id,
        email: user.email,
        expires_at: new Date(Date.now() + verificationKeyLifetimeMs),
      });
      const link = verificationLink(frontUrl, user.id, key);
      try {
        await mailer.send({
          to: user.email,
          subject: '[yongheonn.com] 계정 인증 메일',
          text: `아래 링크를 30분 안에 열면 계정 인증이 완료됩니다.\n\n${link}\n`,
        });
      } catch (error) {
        throw errors.mailSendFailed(error);
      }
    },

    /** Whether the caller is verified yet (the front end polls this while it waits). */
    async isVerified(userId: string): Promise<boolean> {
      const user = await accounts.findById(userId);
      if (!user) throw errors.accountNotFound();
      return user.auth >= authLevel.verified;
    },

    /** Follows a link: raises the account from unverified to verified and returns a fresh access token. */
    async verify(userId: string, key: string): Promise<string> {
      const pending = await verifications.consume(digestOf(key), userId, new Date());
      if (!pending) throw errors.verificationKeyInvalid();
      const user = await accounts.confirmEmail(userId, pending.email);
      if (!user) throw errors.verificationKeyInvalid();
      await verifications.deleteAllOf(userId);
      return auth.accessTokenFor(user);
    },
  };
}

export type EmailVerificationService = ReturnType<typeof emailVerificationService>;
