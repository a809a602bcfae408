import type { ApiStageSpec, RestApiKeySpec, RestApiSpec, RestRouteSpec } from '../../assembly/index.js';
import { headerValue, type ApiAnswer, type ApiRequest } from './api-request.js';

/** What API Gateway answers a method that needs an API key when the request has none that fits. */
export const FORBIDDEN_ANSWER: ApiAnswer = {
  statusCode: 403,
  headers: [
    ['Content-Type', 'application/json'],
    ['x-amzn-ErrorType', 'ForbiddenException'],
  ],
  body: Buffer.from('{"message":"Forbidden"}'),
};

/** The outcome of the API key check: the key the request used, or the service's 403. */
export type ApiKeyCheck = { readonly ok: true; readonly key?: RestApiKeySpec } | { readonly ok: false; readonly answer: ApiAnswer; readonly detail: string };

/**
 * Checks the `x-api-key` header of a request to a method with `ApiKeyRequired`: it must be the
 * value of an enabled key that a usage plan gives to the stage, else 403 `Forbidden`. Keys from
 * an authorizer (`ApiKeySourceType: AUTHORIZER`) are not checked.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 */
export function checkApiKey(api: RestApiSpec, stage: ApiStageSpec, route: RestRouteSpec, request: ApiRequest): ApiKeyCheck {
  if (route.methodRequest?.apiKeyRequired !== true || api.apiKeySource === 'AUTHORIZER') return { ok: true };
  const given = headerValue(request, 'x-api-key');
  if (given === undefined || given === '') return { ok: false, answer: FORBIDDEN_ANSWER, detail: 'no x-api-key header' };
  const key = (api.apiKeys ?? []).find((item) => item.value === given && item.enabled && item.stages.includes(stage.stageName));
  if (key === undefined) return { ok: false, answer: FORBIDDEN_ANSWER, detail: `no enabled API key of stage ${stage.stageName} has that value` };
  return { ok: true, key };
}

/** One line per generated key value, and per key check cdk-local cannot make, said at start. */
export function describeApiKeys(api: RestApiSpec): string[] {
  const lines: string[] = [];
  if (!api.routes.some((route) => route.methodRequest?.apiKeyRequired === true)) return lines;
  if (api.apiKeySource === 'AUTHORIZER') {
    lines.push(`${api.constructPath} takes API keys from its authorizer (ApiKeySourceType AUTHORIZER); cdk-local does not check them.`);
    return lines;
  }
  if ((api.apiKeys ?? []).length === 0) lines.push(`${api.constructPath} has methods that need an API key, but no usage plan gives a key to its stages: they answer 403.`);
  for (const key of api.apiKeys ?? []) {
    if (key.generated) lines.push(`API key ${key.constructPath} has no Value in the app; locally its value is ${key.value} (send it as x-api-key).`);
  }
  return lines;
}
