import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { JwtAuthorizerSpec } from '../../../assembly/index.js';
import type { Refusal } from './authorizer-answers.js';
import type { JwtKeys } from './jwt-keys.js';

/** API Gateway verifies only RSA signatures. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** How a JWT or Cognito authorizer decided. */
export type JwtAuthorization =
  | { readonly ok: true; readonly claims: JWTPayload; readonly scopes: readonly string[]; readonly verified: boolean }
  | { readonly ok: false; readonly refusal: Refusal; readonly detail: string; readonly challenge: string };

/** What {@link runJwtAuthorizer} needs. */
export interface JwtAuthorizerInput {
  readonly spec: JwtAuthorizerSpec;
  /** The identity source's value: the token, `Bearer`-prefixed or not. */
  readonly identity: string | undefined;
  /** The route's or method's `AuthorizationScopes`. */
  readonly scopes: readonly string[];
  /** Null when signatures are not checked (`--no-verify-jwt`). */
  readonly keys: JwtKeys | null;
  readonly nowMs?: number;
}

function invalid(description: string): JwtAuthorization {
  return { ok: false, refusal: 'unauthorized', detail: description, challenge: `Bearer scope="" error="invalid_token" error_description="${description}"` };
}

/** The scopes a token carries: `scope` (space-separated) or `scp` (a list, or space-separated). */
export function tokenScopes(claims: JWTPayload): string[] {
  const raw = claims['scope'] ?? claims['scp'];
  if (Array.isArray(raw)) return raw.filter((item): item is string => typeof item === 'string');
  return typeof raw === 'string' ? raw.split(' ').filter((item) => item !== '') : [];
}

function checkClaims(spec: JwtAuthorizerSpec, claims: JWTPayload, nowSeconds: number): string | undefined {
  if (typeof claims.iss !== 'string' || !spec.issuers.includes(claims.iss)) return 'the token has an invalid issuer';
  if (typeof claims.exp !== 'number') return 'the token has no expiry';
  if (claims.exp <= nowSeconds) return 'the token has expired';
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return 'the token is not valid yet';
  if (typeof claims.iat === 'number' && claims.iat > nowSeconds) return 'the token was issued in the future';
  if (spec.flavour === 'jwt' && spec.audience.length > 0) {
    // `client_id` counts only when the token has no `aud`, as Cognito access tokens do not.
    const audience = claims.aud === undefined ? [claims['client_id']] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.some((item) => typeof item === 'string' && spec.audience.includes(item))) return 'the token does not have a valid audience';
  }
  return undefined;
}

/**
 * Checks a token as an HTTP API's JWT authorizer (or a REST API's Cognito user pool
 * authorizer) does: the issuer, the signature against the issuer's keys when they can be
 * fetched, expiry (`exp`, `nbf`, `iat`), the audience (`aud`, else `client_id`), and at least
 * one of the route's scopes.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export async function runJwtAuthorizer(input: JwtAuthorizerInput): Promise<JwtAuthorization> {
  const { spec } = input;
  if (input.identity === undefined) return { ok: false, refusal: 'unauthorized', detail: `no ${spec.identitySources.join(', ') || 'token'} for authorizer ${spec.name}`, challenge: 'Bearer' };
  // HTTP APIs take the token alone or after `Bearer `; a REST user pool authorizer takes it alone.
  const token = spec.flavour === 'jwt' ? input.identity.replace(/^Bearer\s+/i, '') : input.identity;
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return invalid('the token is not a JWT');
  }
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  let verified = false;
  // The issuer is checked first: only a trusted issuer's keys are fetched.
  if (typeof claims.iss === 'string' && spec.issuers.includes(claims.iss) && input.keys !== null && !spec.localIssuers.includes(claims.iss)) {
    const keys = await input.keys.keysFor(claims.iss);
    if (keys !== undefined) {
      try {
        await jwtVerify(token, keys, { algorithms: RSA_ALGORITHMS, currentDate: new Date(nowSeconds * 1000) });
        verified = true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ERR_JWT_EXPIRED') return invalid('the token has expired');
        return invalid(`the token's signature cannot be verified (${code ?? 'invalid'})`);
      }
    }
  }
  const problem = checkClaims(spec, claims, nowSeconds);
  if (problem !== undefined) return invalid(problem);
  const scopes = tokenScopes(claims);
  if (input.scopes.length > 0 && !input.scopes.some((scope) => scopes.includes(scope))) {
    // A user pool authorizer refuses with 401, a JWT authorizer with 403.
    return {
      ok: false,
      refusal: spec.flavour === 'jwt' ? 'implicit-deny' : 'unauthorized',
      detail: `the token has none of the scopes ${input.scopes.join(', ')}`,
      challenge: `Bearer scope="${input.scopes.join(' ')}" error="insufficient_scope" error_description="expected scopes: [${input.scopes.join(' ')}]"`,
    };
  }
  return { ok: true, claims, scopes, verified };
}
