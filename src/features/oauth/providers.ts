import { z } from 'zod';
import type { OAuthProviderName } from '../../config.ts';

export interface ProviderEndpoints {
  authorization: string;
  token: string;
  userInfo: string;
}

/** The real providers. Tests pass other endpoints (a provider on loopback) through the app's dependencies. */
export const providerEndpoints: Record<OAuthProviderName, ProviderEndpoints> = {
  google: {
    authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    userInfo: 'https://openidconnect.googleapis.com/v1/userinfo',
  },
  naver: {
    authorization: 'https://nid.naver.com/oauth2.0/authorize',
    token: 'https://nid.naver.com/oauth2.0/token',
    userInfo: 'https://openapi.naver.com/v1/nid/me',
  },
  kakao: {
    authorization: 'https://kauth.kakao.com/oauth/authorize',
    token: 'https://kauth.kakao.com/oauth/token',
    userInfo: 'https://kapi.kakao.com/v2/user/me',
  },
};

/** Who the provider says the user is. `emailVerified` is true only when the provider vouches for the address. */
export interface ProviderProfile {
  providerUserId: string;
  email: string | null;
  emailVerified: boolean;
}

export interface ProviderSpec {
  scopes: string[];
  /** PKCE (S256) where the provider documents it; Naver does not. */
  pkce: boolean;
  profile: (userInfo: unknown) => ProviderProfile;
}

const googleUserInfo = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});

const naverUserInfo = z.object({
  resultcode: z.literal('00'),
  response: z.object({ id: z.string().min(1), email: z.string().optional() }),
});

const kakaoUserInfo = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  kakao_account: z
    .object({ email: z.string().optional(), is_email_valid: z.boolean().optional(), is_email_verified: z.boolean().optional() })
    .optional(),
});

export const providerSpecs: Record<OAuthProviderName, ProviderSpec> = {
  google: {
    scopes: ['openid', 'email'],
    pkce: true,
    profile: (json) => {
      const info = googleUserInfo.parse(json);
      return { providerUserId: info.sub, email: info.email ?? null, emailVerified: info.email_verified === true || info.email_verified === 'true' };
    },
  },
  // Naver's profile API says nothing about whether the address was verified, so it is never trusted:
  // a Naver login is recognised by its Naver id only (see docs/compatibility.md, OAuth).
  naver: {
    scopes: [],
    pkce: false,
    profile: (json) => {
      const info = naverUserInfo.parse(json);
      return { providerUserId: info.response.id, email: info.response.email ?? null, emailVerified: false };
    },
  },
  kakao: {
    scopes: ['account_email'],
    pkce: true,
    profile: (json) => {
      const info = kakaoUserInfo.parse(json);
      const account = info.kakao_account;
      return {
        providerUserId: String(info.id),
        email: account?.email ?? null,
        emailVerified: account?.is_email_valid === true && account.is_email_verified === true,
      };
    },
  },
};
