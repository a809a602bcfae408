import { formatRequestTime, headerValue, headerValues, parseQueryString, type ApiRequest } from './api-request.js';

/** What the front end knows about a request besides the request itself. */
export interface EventContext {
  readonly request: ApiRequest;
  readonly apiId: string;
  readonly accountId: string;
  /** The stage name; `$default` for an HTTP API's default stage and for function URLs. */
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** The path the function sees: REST, after the stage, as sent; HTTP APIs, decoded. */
  readonly path: string;
  /** REST: the resource path (`/items/{id}`); HTTP API 1.0: the route's path or `$default`. */
  readonly resource: string;
  /** `GET /items/{id}`, `$default`. */
  readonly routeKey: string;
  /** Send the body base64-encoded. */
  readonly binaryBody: boolean;
  /** The host the client called (without the port), as `domainName`. */
  readonly domainName: string;
  /** A second ID for the request (REST's `extendedRequestId`). */
  readonly extendedRequestId: string;
  /** REST: the resource's ID. */
  readonly resourceId?: string;
  /** REST: the deployment's ID. */
  readonly deploymentId?: string;
}

function bodyOf(context: EventContext): { body: string | null; isBase64Encoded: boolean } {
  const { body } = context.request;
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  return context.binaryBody ? { body: body.toString('base64'), isBase64Encoded: true } : { body: body.toString('utf8'), isBase64Encoded: false };
}

function orNull<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}

function domainPrefix(domainName: string): string {
  return domainName.split('.')[0] ?? domainName;
}

/** The caller, as payload format 1.0 describes it; cdk-local knows only the address and user agent. */
function identity(request: ApiRequest): Record<string, string | null> {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: request.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: headerValue(request, 'user-agent') ?? null,
    user: null,
  };
}

/**
 * The event of payload format 1.0: what REST APIs send a Lambda proxy integration, and HTTP
 * APIs whose integration asks for 1.0 (`version` set, as they set it).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function buildV1Event(context: EventContext, flavour: 'rest' | 'http'): Record<string, unknown> {
  const { request } = context;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of parseQueryString(request.rawQueryString)) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const stagePrefix = context.stage === '$default' ? '' : `/${context.stage}`;
  const requestContext: Record<string, unknown> =
    flavour === 'rest'
      ? {
          resourceId: context.resourceId ?? '',
          resourcePath: context.resource,
          httpMethod: request.method,
          extendedRequestId: context.extendedRequestId,
          requestTime: formatRequestTime(request.timeEpochMs),
          path: `${stagePrefix}${context.path}`,
          accountId: context.accountId,
          protocol: request.protocol,
          stage: context.stage,
          domainPrefix: domainPrefix(context.domainName),
          requestTimeEpoch: request.timeEpochMs,
          requestId: request.requestId,
          identity: identity(request),
          domainName: context.domainName,
          deploymentId: context.deploymentId ?? '',
          apiId: context.apiId,
        }
      : {
          accountId: context.accountId,
          apiId: context.apiId,
          domainName: context.domainName,
          domainPrefix: domainPrefix(context.domainName),
          extendedRequestId: context.extendedRequestId,
          httpMethod: request.method,
          identity: identity(request),
          path: `${stagePrefix}${context.path}`,
          protocol: request.protocol,
          requestId: request.requestId,
          requestTime: formatRequestTime(request.timeEpochMs),
          requestTimeEpoch: request.timeEpochMs,
          resourceId: context.routeKey,
          resourcePath: context.resource,
          stage: context.stage,
        };
  return {
    ...(flavour === 'http' ? { version: '1.0' } : {}),
    resource: context.resource,
    path: flavour === 'rest' ? context.path : `${stagePrefix}${context.path}`,
    httpMethod: request.method,
    headers: orNull(headers),
    multiValueHeaders: orNull(multiValueHeaders),
    queryStringParameters: orNull(queryStringParameters),
    multiValueQueryStringParameters: orNull(multiValueQueryStringParameters),
    pathParameters: orNull({ ...context.pathParameters }),
    stageVariables: orNull({ ...context.stageVariables }),
    requestContext,
    ...bodyOf(context),
  };
}

/**
 * The event of payload format 2.0: what HTTP APIs send by default, and function URLs.
 * Header names lower case, repeats comma-joined; cookies apart; fields without a value left out.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
export function buildV2Event(context: EventContext, options: { readonly rawPath: string; readonly authorizer?: Record<string, unknown> }): Record<string, unknown> {
  const { request } = context;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter((cookie) => cookie !== ''));
      continue;
    }
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of parseQueryString(request.rawQueryString)) {
    queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const { body, isBase64Encoded } = bodyOf(context);
  return {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: options.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length === 0 ? {} : { cookies }),
    headers,
    ...(Object.keys(queryStringParameters).length === 0 ? {} : { queryStringParameters }),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(options.authorizer === undefined ? {} : { authorizer: options.authorizer }),
      domainName: context.domainName,
      domainPrefix: domainPrefix(context.domainName),
      http: {
        method: request.method,
        path: options.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headerValues(request, 'user-agent').join(','),
      },
      requestId: request.requestId,
      routeKey: context.routeKey,
      stage: context.stage,
      time: formatRequestTime(request.timeEpochMs),
      timeEpoch: request.timeEpochMs,
    },
    ...(Object.keys(context.pathParameters).length === 0 ? {} : { pathParameters: { ...context.pathParameters } }),
    ...(Object.keys(context.stageVariables).length === 0 ? {} : { stageVariables: { ...context.stageVariables } }),
    ...(body === null ? {} : { body }),
    isBase64Encoded,
  };
}
