import type { ApiStageSpec, RestApiKeySpec, RestApiSpec, RestRouteSpec } from '../../assembly/index.js';
import type { ApiAnswer, ApiRequest } from './api-request.js';
import { checkApiKey } from './api-keys.js';
import { validateRequest } from './request-validation.js';

/** A request the method takes (with the API key it used), or the service's answer refusing it. */
export type MethodRequestCheck = { readonly ok: true; readonly apiKey?: RestApiKeySpec } | { readonly ok: false; readonly answer: ApiAnswer; readonly detail: string };

/**
 * What API Gateway checks of a REST request once its method is found and before the
 * integration: the API key (403), then the request validator (400).
 */
export function checkMethodRequest(api: RestApiSpec, stage: ApiStageSpec, route: RestRouteSpec, request: ApiRequest, pathParameters: Readonly<Record<string, string>>): MethodRequestCheck {
  const key = checkApiKey(api, stage, route, request);
  if (!key.ok) return key;
  const invalid = validateRequest(route, request, pathParameters);
  if (invalid !== undefined) return { ok: false, ...invalid };
  return key.key === undefined ? { ok: true } : { ok: true, apiKey: key.key };
}

/** The key a request used, in a proxy event's `requestContext.identity` (`apiKey`, `apiKeyId`), as the service puts it. */
export function withApiKey(event: Record<string, unknown>, key: RestApiKeySpec): void {
  const requestContext = event['requestContext'];
  const identity = typeof requestContext === 'object' && requestContext !== null ? (requestContext as Record<string, unknown>)['identity'] : undefined;
  if (typeof identity === 'object' && identity !== null) Object.assign(identity, { apiKey: key.value, apiKeyId: key.keyId });
}
