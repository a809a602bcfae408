import type { JWTPayload } from 'jose';
import type { FunctionSpec, FunctionUrlEndpointSpec, HttpApiSpec, HttpRouteSpec, JwtAuthorizerSpec, LambdaAuthorizerSpec, RestApiSpec, RestRouteSpec, WebSocketApiSpec, WebSocketRouteSpec } from '../../../assembly/index.js';
import type { LocalLambda } from '../../../host/index.js';
import { headerValue, parseQueryString, type ApiAnswer, type ApiRequest } from '../api-request.js';
import { buildV1Event, buildV2Event, type EventContext } from '../build-event.js';
import { AuthorizerCache } from './authorizer-cache.js';
import { httpRefusal, restRefusal, urlRefusal } from './authorizer-answers.js';
import type { IdentityContext } from './identity-sources.js';
import { identityValue } from './identity-sources.js';
import { runJwtAuthorizer } from './jwt-authorizer.js';
import { JwtKeys } from './jwt-keys.js';
import { runLambdaAuthorizer, type LambdaAuthorization, type LambdaAuthorizerAnswer } from './lambda-authorizer.js';

/** Options of {@link Authorizers}. */
export interface AuthorizersOptions {
  readonly local: LocalLambda;
  /** Check JWT signatures against the issuers' keys when they can be fetched. @default true */
  readonly verifyJwt?: boolean;
  /** Receives one-line notices (an issuer whose keys cannot be fetched, a function Lambda refused to run). */
  readonly onNotice?: (message: string) => void;
}

/** What the authorizers of one server share: the result cache and the issuers' keys. */
export class Authorizers {
  readonly cache = new AuthorizerCache<LambdaAuthorizerAnswer>();
  readonly keys: JwtKeys | null;

  constructor(readonly options: AuthorizersOptions) {
    this.keys = options.verifyJwt === false ? null : new JwtKeys(options.onNotice === undefined ? {} : { onNotice: options.onNotice });
  }
}

/** A request let through, with what the integration's event learns of it. */
export interface Allowed {
  readonly ok: true;
  /** `requestContext.authorizer` of the integration's event. */
  readonly authorizer?: Record<string, unknown>;
  /** Fields of `requestContext.identity` (payload 1.0) the caller's signature tells. */
  readonly identity?: Record<string, unknown>;
}

/** A request refused, with the service's answer. */
export interface Refused {
  readonly ok: false;
  readonly answer: ApiAnswer;
  readonly detail: string;
  /** The authorizer function, when it ran. */
  readonly function?: FunctionSpec;
  readonly requestId?: string;
}

export type Authorization = Allowed | Refused;

const ALLOWED: Allowed = { ok: true };

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD><path>`, the ARN a policy is evaluated against. */
function executeApiArn(api: { readonly region: string; readonly accountId: string; readonly apiId: string }, stage: string, method: string, path: string): string {
  return `arn:${partitionOf(api.region)}:execute-api:${api.region}:${api.accountId}:${api.apiId}/${stage}/${method}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The caller's access key when the request is signed with SigV4 (header or presigned query), else undefined. */
export function sigV4AccessKey(request: ApiRequest): string | undefined {
  const authorization = headerValue(request, 'authorization');
  if (authorization !== undefined && /^AWS4-HMAC-SHA256\s/i.test(authorization)) {
    return /Credential=([^/,\s]+)/.exec(authorization)?.[1] ?? '';
  }
  const query = new Map(parseQueryString(request.rawQueryString));
  if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && query.has('X-Amz-Signature')) return (query.get('X-Amz-Credential') ?? '').split('/')[0] ?? '';
  return undefined;
}

/** Claim values as API Gateway hands them on: text, lists as `[a b]`. */
function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((item) => claimText(item)).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** `Wed Apr 08 21:58:11 UTC 2020`: how a REST user pool authorizer writes `exp` and `iat`. */
function javaDate(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${time} UTC ${date.getUTCFullYear()}`;
}

function claimsAsText(claims: JWTPayload, datesAsText: boolean): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    text[name] = datesAsText && (name === 'exp' || name === 'iat') && typeof value === 'number' ? javaDate(value) : claimText(value);
  }
  return text;
}

function stringifiedContext(context: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(context ?? {})) values[name] = value === null ? null : String(value);
  return values;
}

function refused(answer: ApiAnswer, detail: string, fn?: FunctionSpec, requestId?: string): Refused {
  return { ok: false, answer, detail, ...(fn === undefined ? {} : { function: fn }), ...(requestId === undefined ? {} : { requestId }) };
}

function lambdaRefused(result: Extract<LambdaAuthorization, { ok: false }>, spec: LambdaAuthorizerSpec, answer: (refusal: typeof result.refusal) => ApiAnswer): Refused {
  const ran = result.requestId === undefined ? undefined : spec.function;
  return refused(answer(result.refusal), result.detail, ran, result.requestId);
}

function restContextVariables(api: RestApiSpec, route: RestRouteSpec, context: EventContext): Record<string, string> {
  return {
    stage: context.stage,
    httpMethod: context.request.method,
    resourcePath: route.resourcePath,
    path: `/${context.stage}${context.path}`,
    requestId: context.request.requestId,
    apiId: api.apiId,
    accountId: api.accountId,
    domainName: context.domainName,
    protocol: context.request.protocol,
    'identity.sourceIp': context.request.sourceIp,
    'identity.userAgent': headerValue(context.request, 'user-agent') ?? '',
  };
}

function withoutBody(event: Record<string, unknown>): Record<string, unknown> {
  const { body: _body, isBase64Encoded: _encoded, ...rest } = event;
  return rest;
}

/**
 * Authorizes a REST API request as the method's authorizer would, before the integration:
 * `AWS_IAM`, a Lambda authorizer (TOKEN, REQUEST) or a Cognito user pool authorizer.
 */
export async function authorizeRest(authorizers: Authorizers, api: RestApiSpec, route: RestRouteSpec, context: EventContext): Promise<Authorization> {
  const authorization = route.authorization;
  if (authorization === undefined) return ALLOWED;
  const { authorizer } = authorization;
  const { request } = context;
  if (authorizer.kind === 'iam') {
    return authorizeIam(request, api.accountId, restRefusal('unsigned'), 'identity');
  }
  const identity: IdentityContext = { request, stageVariables: context.stageVariables, contextVariables: restContextVariables(api, route, context), repeats: 'last' };
  if (authorizer.kind === 'jwt') return authorizeUserPool(authorizers, authorizer, authorization.scopes, identity);
  const methodArn = executeApiArn(api, context.stage, request.method, context.path);
  const result = await runLambdaAuthorizer({
    spec: authorizer,
    local: authorizers.options.local,
    cache: authorizers.cache,
    identity,
    arn: methodArn,
    flatContext: true,
    event: ([token]) =>
      authorizer.type === 'TOKEN'
        ? { type: 'TOKEN', methodArn, authorizationToken: token ?? '' }
        : { type: 'REQUEST', methodArn, ...withoutBody(buildV1Event(context, 'rest')) },
    ...rejected(authorizers),
  });
  if (!result.ok) return lambdaRefused(result, authorizer, restRefusal);
  const { answer } = result;
  return {
    ok: true,
    authorizer: { ...stringifiedContext(answer.context), principalId: answer.principalId ?? null, integrationLatency: result.latencyMs },
  };
}

async function authorizeUserPool(authorizers: Authorizers, spec: JwtAuthorizerSpec, scopes: readonly string[], identity: IdentityContext): Promise<Authorization> {
  const source = spec.identitySources[0] ?? 'method.request.header.Authorization';
  const result = await runJwtAuthorizer({ spec, identity: identityValue(source, identity), scopes, keys: authorizers.keys });
  if (!result.ok) return refused(restRefusal('unauthorized'), `authorizer ${spec.name}: ${result.detail}`);
  return { ok: true, authorizer: { claims: claimsAsText(result.claims, true) } };
}

function rejected(authorizers: Authorizers): { onRejected?: (message: string) => void } {
  return authorizers.options.onNotice === undefined ? {} : { onRejected: authorizers.options.onNotice };
}

function httpContextVariables(api: HttpApiSpec, route: HttpRouteSpec, context: EventContext): Record<string, string> {
  return {
    stage: context.stage,
    routeKey: route.routeKey,
    httpMethod: context.request.method,
    path: context.path,
    requestId: context.request.requestId,
    apiId: api.apiId,
    accountId: api.accountId,
    domainName: context.domainName,
    protocol: context.request.protocol,
    'identity.sourceIp': context.request.sourceIp,
    'identity.userAgent': headerValue(context.request, 'user-agent') ?? '',
  };
}

/** The `iam` the 2.0 event's `requestContext.authorizer` has for a signed request. */
function iamAuthorizer(accessKey: string, accountId: string): Record<string, unknown> {
  return { iam: { accessKey, accountId, callerId: accessKey, cognitoIdentity: null, principalOrgId: null, userArn: null, userId: accessKey } };
}

/**
 * `AWS_IAM`: any SigV4-signed request gets through (its signature is not checked) and the
 * signer's access key reaches the event, as the caller's `identity` (REST, payload 1.0) or as
 * `requestContext.authorizer.iam` (payload 2.0, function URLs); an unsigned one gets `refusal`.
 */
function authorizeIam(request: ApiRequest, accountId: string, refusal: ApiAnswer, as: 'identity' | 'authorizer'): Authorization {
  const accessKey = sigV4AccessKey(request);
  if (accessKey === undefined) return refused(refusal, 'AWS_IAM: the request is not signed');
  return as === 'authorizer' ? { ok: true, authorizer: iamAuthorizer(accessKey, accountId) } : { ok: true, identity: { accessKey, accountId, caller: accessKey, user: accessKey } };
}

/**
 * Authorizes an HTTP API request as the route's authorizer would: `AWS_IAM`, a Lambda
 * authorizer (payload 1.0 or 2.0, simple or IAM responses) or a JWT authorizer.
 * `integrationVersion` is the payload format of the route's integration, which decides
 * where the authorizer's output goes in its event.
 */
export async function authorizeHttp(
  authorizers: Authorizers,
  api: HttpApiSpec,
  route: HttpRouteSpec,
  context: EventContext,
  rawPath: string,
  integrationVersion: '1.0' | '2.0',
): Promise<Authorization> {
  const authorization = route.authorization;
  if (authorization === undefined) return ALLOWED;
  const { authorizer } = authorization;
  const { request } = context;
  if (authorizer.kind === 'iam') {
    return authorizeIam(request, api.accountId, httpRefusal('unsigned'), integrationVersion === '2.0' ? 'authorizer' : 'identity');
  }
  const identity: IdentityContext = { request, stageVariables: context.stageVariables, contextVariables: httpContextVariables(api, route, context), repeats: 'join' };
  if (authorizer.kind === 'jwt') {
    const source = authorizer.identitySources[0] ?? '$request.header.Authorization';
    const result = await runJwtAuthorizer({ spec: authorizer, identity: identityValue(source, identity), scopes: authorization.scopes, keys: authorizers.keys });
    if (!result.ok) return refused(httpRefusal(result.refusal, result.challenge), `authorizer ${authorizer.name}: ${result.detail}`);
    const claims = claimsAsText(result.claims, false);
    const scopes = authorization.scopes.length === 0 ? null : result.scopes;
    return { ok: true, authorizer: integrationVersion === '2.0' ? { jwt: { claims, scopes } } : { claims, scopes } };
  }
  const routeArn = executeApiArn(api, context.stage, request.method, rawPath);
  const result = await runLambdaAuthorizer({
    spec: authorizer,
    local: authorizers.options.local,
    cache: authorizers.cache,
    identity,
    arn: routeArn,
    flatContext: false,
    event: (values) =>
      authorizer.payloadFormatVersion === '2.0'
        ? { version: '2.0', type: 'REQUEST', routeArn, identitySource: [...values], ...withoutBody(buildV2Event(context, { rawPath })) }
        : { version: '1.0', type: 'REQUEST', methodArn: routeArn, identitySource: values.join(','), authorizationToken: values.join(','), ...withoutBody(buildV1Event(context, 'http')) },
    ...rejected(authorizers),
  });
  if (!result.ok) return lambdaRefused(result, authorizer, (refusal) => httpRefusal(refusal));
  const { answer } = result;
  if (integrationVersion === '2.0') return { ok: true, authorizer: { lambda: answer.context ?? null } };
  return { ok: true, authorizer: { ...answer.context, ...(answer.principalId === undefined ? {} : { principalId: answer.principalId }), integrationLatency: result.latencyMs } };
}

/** What a WebSocket `$connect` authorizer knows of the handshake. */
export interface WebSocketConnectContext {
  readonly request: ApiRequest;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** `$context` variables an identity source can name (`connectionId`, `routeKey`, ...). */
  readonly contextVariables: Readonly<Record<string, string>>;
  /** The authorizer's event, without its `type` and `methodArn`. */
  readonly event: Record<string, unknown>;
}

/**
 * Authorizes a WebSocket handshake as the `$connect` route's authorizer would: `AWS_IAM`, or a
 * Lambda `REQUEST` authorizer whose identity sources must all be there, whose policy must allow
 * `arn:...:<apiId>/<stage>/$connect`. What it says reaches every event of the connection.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
export async function authorizeWebSocket(authorizers: Authorizers, api: WebSocketApiSpec, route: WebSocketRouteSpec, context: WebSocketConnectContext): Promise<Authorization> {
  const authorization = route.authorization;
  if (authorization === undefined) return ALLOWED;
  const { authorizer } = authorization;
  const { request } = context;
  if (authorizer.kind === 'iam') {
    return authorizeIam(request, api.accountId, httpRefusal('unsigned'), 'identity');
  }
  // A WebSocket API takes no JWT authorizer; none can be read for it.
  if (authorizer.kind !== 'lambda') return ALLOWED;
  const identity: IdentityContext = { request, stageVariables: context.stageVariables, contextVariables: context.contextVariables, repeats: 'last' };
  // No method in a WebSocket route's ARN: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/$connect`.
  const methodArn = `arn:${partitionOf(api.region)}:execute-api:${api.region}:${api.accountId}:${api.apiId}/${context.stage}/${route.routeKey}`;
  const result = await runLambdaAuthorizer({
    spec: authorizer,
    local: authorizers.options.local,
    cache: authorizers.cache,
    identity,
    arn: methodArn,
    flatContext: true,
    event: () => ({ type: 'REQUEST', methodArn, ...context.event }),
    ...rejected(authorizers),
  });
  if (!result.ok) return lambdaRefused(result, authorizer, (refusal) => httpRefusal(refusal));
  const { answer } = result;
  return {
    ok: true,
    authorizer: { ...stringifiedContext(answer.context), principalId: answer.principalId ?? null, integrationLatency: result.latencyMs },
  };
}

/** Authorizes a function URL request: an `AWS_IAM` URL takes only signed requests. */
export function authorizeUrl(api: FunctionUrlEndpointSpec, request: ApiRequest): Authorization {
  if (api.authType !== 'AWS_IAM') return ALLOWED;
  return authorizeIam(request, api.accountId, urlRefusal(), 'authorizer');
}

/** The integration's event with what authorization learnt: `requestContext.authorizer`, and the caller's identity. */
export function withAuthorization<T extends Record<string, unknown>>(event: T, authorization: Allowed): T {
  const requestContext = event['requestContext'];
  if (typeof requestContext !== 'object' || requestContext === null) return event;
  const context = requestContext as Record<string, unknown>;
  if (authorization.authorizer !== undefined) context['authorizer'] = authorization.authorizer;
  if (authorization.identity !== undefined && typeof context['identity'] === 'object' && context['identity'] !== null) {
    Object.assign(context['identity'] as Record<string, unknown>, authorization.identity);
  }
  return event;
}
