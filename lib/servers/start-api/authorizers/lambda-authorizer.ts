import type { FunctionSpec, LambdaAuthorizerSpec } from '../../../assembly/index.js';
import type { LocalLambda } from '../../../host/index.js';
import { invokeIntegration } from '../invoke-integration.js';
import type { AuthorizerCache } from './authorizer-cache.js';
import type { Refusal } from './authorizer-answers.js';
import { evaluatePolicy, policyProblem } from './iam-policy.js';
import { identityValues, type IdentityContext } from './identity-sources.js';

/** What an authorizer function answered, once it is known to be a valid answer. */
export interface LambdaAuthorizerAnswer {
  /** Simple responses: the function's `isAuthorized`. */
  readonly isAuthorized?: boolean;
  /** IAM responses: the policy to evaluate against each method ARN. */
  readonly policyDocument?: unknown;
  readonly principalId?: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** How a Lambda authorizer decided. */
export type LambdaAuthorization =
  | { readonly ok: true; readonly answer: LambdaAuthorizerAnswer; readonly cached: boolean; readonly latencyMs: number; readonly requestId?: string }
  | { readonly ok: false; readonly refusal: Refusal; readonly detail: string; readonly requestId?: string };

/** What {@link runLambdaAuthorizer} needs. */
export interface LambdaAuthorizerInput {
  readonly spec: LambdaAuthorizerSpec;
  readonly local: LocalLambda;
  readonly cache: AuthorizerCache<LambdaAuthorizerAnswer>;
  readonly identity: IdentityContext;
  /** `methodArn` (REST, HTTP 1.0) or `routeArn` (HTTP 2.0): what the policy is evaluated against. */
  readonly arn: string;
  /** The event the function gets, given the identity source values. */
  readonly event: (identity: readonly string[]) => Record<string, unknown>;
  /** REST authorizers may only hand on strings, numbers and booleans in `context`. */
  readonly flatContext: boolean;
  readonly onRejected?: (message: string) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `errorMessage` of a function error, whose detail is `<errorType>: <error JSON>`. */
function errorMessageOf(detail: string): string | undefined {
  const start = detail.indexOf('{');
  if (start < 0) return undefined;
  try {
    const error: unknown = JSON.parse(detail.slice(start));
    return isRecord(error) && typeof error['errorMessage'] === 'string' ? error['errorMessage'] : undefined;
  } catch {
    return undefined;
  }
}

/** The function's answer checked as the service checks it; a string says what is wrong. */
function readAnswer(body: Buffer, spec: LambdaAuthorizerSpec, flatContext: boolean): LambdaAuthorizerAnswer | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the authorizer did not answer JSON';
  }
  if (!isRecord(parsed)) return 'the authorizer did not answer an object';
  const context = parsed['context'];
  if (context !== undefined && context !== null && !isRecord(context)) return 'context is not an object';
  if (flatContext && isRecord(context)) {
    const nested = Object.entries(context).find(([, value]) => typeof value === 'object' && value !== null);
    if (nested !== undefined) return `context.${nested[0]} is an object or array, which a REST API cannot pass on`;
  }
  const principalId = typeof parsed['principalId'] === 'string' ? parsed['principalId'] : undefined;
  const base = { ...(principalId === undefined ? {} : { principalId }), ...(isRecord(context) ? { context } : {}) };
  if (spec.enableSimpleResponses) {
    if (typeof parsed['isAuthorized'] !== 'boolean') return 'isAuthorized is not a boolean';
    return { ...base, isAuthorized: parsed['isAuthorized'] };
  }
  const problem = policyProblem(parsed['policyDocument']);
  if (problem !== undefined) return problem;
  return { ...base, policyDocument: parsed['policyDocument'] };
}

/** Allowed, or why not, by an answer for this ARN. */
function decide(answer: LambdaAuthorizerAnswer, arn: string): Refusal | undefined {
  if (answer.isAuthorized !== undefined) return answer.isAuthorized ? undefined : 'implicit-deny';
  const decision = evaluatePolicy(answer.policyDocument, 'execute-api:Invoke', arn);
  return decision === 'allow' ? undefined : decision;
}

async function invokeAuthorizer(input: LambdaAuthorizerInput, fn: FunctionSpec, identity: readonly string[]): Promise<LambdaAuthorization> {
  const startedMs = Date.now();
  const outcome = await invokeIntegration({
    local: input.local,
    spec: fn,
    event: input.event(identity),
    ...(input.onRejected === undefined ? {} : { onRejected: input.onRejected }),
  });
  const requestId = outcome.kind === 'failure' ? outcome.requestId : outcome.kind === 'payload' ? outcome.requestId : outcome.handle.requestId;
  const ids = requestId === undefined ? {} : { requestId };
  if (outcome.kind === 'failure') {
    // An authorizer that fails with exactly `Unauthorized` asks for a 401; anything else is its error.
    if (outcome.failure === 'function-error' && errorMessageOf(outcome.detail) === 'Unauthorized') {
      return { ok: false, refusal: 'unauthorized', detail: 'the authorizer answered Unauthorized', ...ids };
    }
    return { ok: false, refusal: 'authorizer-error', detail: `authorizer ${input.spec.name}: ${outcome.detail}`, ...ids };
  }
  if (outcome.kind !== 'payload') return { ok: false, refusal: 'authorizer-error', detail: `authorizer ${input.spec.name} streamed its answer`, ...ids };
  const answer = readAnswer(outcome.body, input.spec, input.flatContext);
  if (typeof answer === 'string') return { ok: false, refusal: 'authorizer-error', detail: `authorizer ${input.spec.name}: ${answer}`, ...ids };
  input.cache.set(input.spec.logicalId, identity, answer, input.spec.resultTtlSeconds);
  return { ok: true, answer, cached: false, latencyMs: Date.now() - startedMs, ...ids };
}

/**
 * Authorizes a request with a Lambda authorizer as API Gateway does: the identity sources
 * must all be there (and a TOKEN must match its validation expression) or the answer is 401
 * without the function running; a result cached for the same identity is reused; otherwise
 * the function runs, and its policy (or simple answer) decides.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
export async function runLambdaAuthorizer(input: LambdaAuthorizerInput): Promise<LambdaAuthorization> {
  const { spec } = input;
  const identity = identityValues(spec.identitySources, input.identity);
  if (identity === undefined) return { ok: false, refusal: 'unauthorized', detail: `no ${spec.identitySources.join(', ')} for authorizer ${spec.name}` };
  if (spec.identityValidationExpression !== undefined && identity[0] !== undefined) {
    let valid: boolean;
    try {
      valid = new RegExp(spec.identityValidationExpression).test(identity[0]);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, refusal: 'unauthorized', detail: `the token does not match the validation expression of authorizer ${spec.name}` };
  }
  // Without an identity source there is nothing to key a cache on.
  const cached = identity.length > 0 ? input.cache.get(spec.logicalId, identity) : undefined;
  let result: LambdaAuthorization;
  if (cached !== undefined) {
    result = { ok: true, answer: cached, cached: true, latencyMs: 0 };
  } else if (spec.function === undefined) {
    return { ok: false, refusal: 'authorizer-error', detail: `the function of authorizer ${spec.name} is not a function of the app` };
  } else {
    result = await invokeAuthorizer(input, spec.function, identity);
  }
  if (!result.ok) return result;
  const refusal = decide(result.answer, input.arn);
  if (refusal === undefined) return result;
  return { ok: false, refusal, detail: `authorizer ${spec.name} ${refusal === 'explicit-deny' ? 'denies' : 'does not allow'} ${input.arn}${result.cached ? ' (cached)' : ''}`, ...(result.requestId === undefined ? {} : { requestId: result.requestId }) };
}
