/**
 * Access tokens already verified, until they expire. Verifying an HS256 signature through WebCrypto cost as
 * much as the rest of a cached request, and a token's answer cannot change before its `exp`. Only tokens that
 * verified are kept, keyed by the whole token string (a forged signature is another key and is verified in
 * full); at most `maxTokens`, the oldest going first.
 */
export class VerifiedTokens<User> {
  readonly #users = new Map<string, { user: User; expiresAt: number }>();
  readonly #maxTokens: number;

  constructor(maxTokens: number) {
    this.#maxTokens = maxTokens;
  }

  /** The user of a token verified before, while it has not expired. */
  userOf(token: string, now = Date.now()): User | undefined {
    const known = this.#users.get(token);
    if (known === undefined) return undefined;
    if (now < known.expiresAt) return known.user;
    this.#users.delete(token);
    return undefined;
  }

  /** `expiresAt` is the token's own `exp` in ms: the entry never outlives the token. */
  remember(token: string, user: User, expiresAt: number, now = Date.now()): void {
    if (expiresAt <= now) return;
    this.#users.set(token, { user, expiresAt });
    if (this.#users.size > this.#maxTokens) this.#users.delete(this.#users.keys().next().value!);
  }
}
