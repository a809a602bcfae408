/** Most results kept at once; the oldest go first past it. */
const MAX_ENTRIES = 10_000;

/**
 * Authorizer results by authorizer and identity, each kept for its authorizer's TTL, as API
 * Gateway caches them: the next request with the same identity gets the same answer without
 * the function running, whatever method it asks for.
 */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();

  private static key(authorizer: string, identity: readonly string[]): string {
    return JSON.stringify([authorizer, ...identity]);
  }

  /** The cached result, if it has not expired. */
  get(authorizer: string, identity: readonly string[], nowMs = Date.now()): T | undefined {
    const key = AuthorizerCache.key(authorizer, identity);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps a result for `ttlSeconds`; 0 keeps nothing. */
  set(authorizer: string, identity: readonly string[], value: T, ttlSeconds: number, nowMs = Date.now()): void {
    if (ttlSeconds <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(AuthorizerCache.key(authorizer, identity), { value, expiresAtMs: nowMs + ttlSeconds * 1000 });
  }
}
