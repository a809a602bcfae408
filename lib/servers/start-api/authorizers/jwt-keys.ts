import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

/** How long one fetch of an issuer's discovery document or keys may take. */
const FETCH_TIMEOUT_MS = 5_000;
/** API Gateway keeps an issuer's public keys up to two hours. */
const KEYS_MAX_AGE_MS = 2 * 60 * 60 * 1000;
/** An issuer whose keys could not be fetched is asked again after this long. */
const RETRY_AFTER_MS = 30_000;

/** An issuer's keys, or why there are none. */
type IssuerKeys = { readonly keys: JWTVerifyGetKey; readonly atMs: number } | { readonly reason: string; readonly atMs: number };

/** Options of {@link JwtKeys}. */
export interface JwtKeysOptions {
  /** Receives one line per issuer whose tokens are accepted without their signature checked. */
  readonly onNotice?: (message: string) => void;
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * Where an issuer's keys are: the `jwks_uri` of its OpenID discovery document
 * (`<issuer>/.well-known/openid-configuration`), or else `<issuer>/.well-known/jwks.json`,
 * as Cognito user pools publish them. Throws when neither answers a key set.
 */
async function findKeySet(issuer: string): Promise<string> {
  const base = withoutTrailingSlash(issuer);
  let jwksUri = `${base}/.well-known/jwks.json`;
  try {
    const discovery = await fetchJson(`${base}/.well-known/openid-configuration`);
    const uri = typeof discovery === 'object' && discovery !== null ? (discovery as Record<string, unknown>)['jwks_uri'] : undefined;
    if (typeof uri === 'string') jwksUri = uri;
  } catch {
    // No discovery document: Cognito's well-known key set is tried instead.
  }
  const keySet = await fetchJson(jwksUri);
  const keys = typeof keySet === 'object' && keySet !== null ? (keySet as Record<string, unknown>)['keys'] : undefined;
  if (!Array.isArray(keys)) throw new Error(`${jwksUri} is not a JSON Web Key Set`);
  return jwksUri;
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

/**
 * The public keys of JWT issuers, fetched when first needed and kept as API Gateway keeps
 * them. An issuer whose keys cannot be fetched is said once, and asked again later.
 */
export class JwtKeys {
  private readonly issuers = new Map<string, Promise<IssuerKeys>>();
  private readonly told = new Set<string>();

  constructor(private readonly options: JwtKeysOptions = {}) {}

  /** The issuer's key set, or undefined (with a notice, once) when it cannot be fetched. */
  async keysFor(issuer: string): Promise<JWTVerifyGetKey | undefined> {
    const nowMs = Date.now();
    let pending = this.issuers.get(issuer);
    const previous = pending === undefined ? undefined : await pending;
    if (previous === undefined || nowMs - previous.atMs > ('keys' in previous ? KEYS_MAX_AGE_MS : RETRY_AFTER_MS)) {
      pending = findKeySet(issuer).then(
        (jwksUri): IssuerKeys => ({ keys: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS, cacheMaxAge: KEYS_MAX_AGE_MS }), atMs: Date.now() }),
        (error: unknown): IssuerKeys => ({ reason: reasonOf(error), atMs: Date.now() }),
      );
      this.issuers.set(issuer, pending);
    }
    const found = await pending!;
    if ('keys' in found) {
      this.told.delete(issuer);
      return found.keys;
    }
    if (!this.told.has(issuer)) {
      this.told.add(issuer);
      this.options.onNotice?.(`The keys of JWT issuer ${issuer} could not be fetched (${found.reason}); its tokens are accepted without their signature checked.`);
    }
    return undefined;
  }
}
