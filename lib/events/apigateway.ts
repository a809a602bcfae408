import { ACCOUNT_OPTION, PARTITION_OPTION, REGION_OPTION, arnOf, hexId, valueOf, type EventContext, type EventDefinition, type EventValues, type ServiceDefinition } from './event-definition.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time: `30/Nov/2026:09:00:00 +0000`. */
export function apiGatewayTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** `path/to/x` → `/path/to/x`. */
function absolutePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The path parameters of `path` under a route template (`/items/{id}`, `/{proxy+}`); null
 * when the template has none or the path does not fit it.
 */
export function matchPathParameters(template: string, path: string): Record<string, string> | null {
  const templateParts = absolutePath(template).split('/').slice(1);
  const pathParts = absolutePath(path).split('/').slice(1);
  const parameters: Record<string, string> = {};
  for (const [index, part] of templateParts.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1] !== undefined) {
      parameters[greedy[1]] = pathParts.slice(index).join('/');
      break;
    }
    const single = /^\{(.+)\}$/.exec(part);
    if (single?.[1] !== undefined) parameters[single[1]] = pathParts[index] ?? '';
  }
  return Object.keys(parameters).length === 0 ? null : parameters;
}

function apiHost(values: EventValues): string {
  const suffix = valueOf(values, 'partition') === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${valueOf(values, 'api-id')}.execute-api.${valueOf(values, 'region')}.${suffix}`;
}

const USER_AGENT = 'Custom User Agent String';
const SOURCE_IP = '127.0.0.1';

const API_OPTIONS = [
  { name: 'method', describe: 'The HTTP method', default: 'POST' },
  { name: 'path', describe: 'The request path', default: 'path/to/resource' },
  { name: 'resource', describe: 'The resource the path matched (path parameters come from it)', default: '/{proxy+}' },
  { name: 'stage', describe: 'The stage', default: 'prod' },
  { name: 'body', describe: 'The request body', default: '{"test":"body"}' },
  { name: 'api-id', describe: 'The REST API ID', default: '1234567890' },
  ACCOUNT_OPTION,
  REGION_OPTION,
  PARTITION_OPTION,
];

/** The `requestContext` of a REST API's proxy and REQUEST authorizer events. */
function restRequestContext(values: EventValues, context: EventContext, path: string, resource: string): Record<string, unknown> {
  const host = apiHost(values);
  const stage = valueOf(values, 'stage');
  return {
    accountId: valueOf(values, 'account-id'),
    apiId: valueOf(values, 'api-id'),
    domainName: host,
    domainPrefix: valueOf(values, 'api-id'),
    extendedRequestId: `${hexId(context, 14)}=`,
    httpMethod: valueOf(values, 'method').toUpperCase(),
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: SOURCE_IP,
      user: null,
      userAgent: USER_AGENT,
      userArn: null,
    },
    path: `/${stage}${path}`,
    protocol: 'HTTP/1.1',
    requestId: context.uuid(),
    requestTime: apiGatewayTime(context.now),
    requestTimeEpoch: context.now.getTime(),
    resourceId: hexId(context, 6).toLowerCase(),
    resourcePath: resource,
    stage,
  };
}

/** The request part shared by the proxy event and the REQUEST authorizer event. */
function restRequest(values: EventValues, context: EventContext, extraHeaders: Record<string, string>): Record<string, unknown> {
  const path = absolutePath(valueOf(values, 'path'));
  const resource = absolutePath(valueOf(values, 'resource'));
  const body = valueOf(values, 'body');
  const headers: Record<string, string> = {
    Accept: '*/*',
    ...(body === '' ? {} : { 'Content-Type': 'application/json' }),
    Host: apiHost(values),
    'User-Agent': USER_AGENT,
    'X-Forwarded-For': SOURCE_IP,
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...extraHeaders,
  };
  return {
    resource,
    path,
    httpMethod: valueOf(values, 'method').toUpperCase(),
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: matchPathParameters(resource, path),
    stageVariables: null,
    requestContext: restRequestContext(values, context, path, resource),
  };
}

/**
 * `apigateway aws-proxy`: a REST API request through a Lambda proxy integration
 * (payload format 1.0).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
export const APIGATEWAY_AWS_PROXY: EventDefinition = {
  name: 'aws-proxy',
  describe: 'A REST API request through a Lambda proxy integration',
  options: API_OPTIONS,
  build: (values, context) => {
    const body = valueOf(values, 'body');
    return { ...restRequest(values, context, {}), body: body === '' ? null : body, isBase64Encoded: false };
  },
};

/**
 * `apigateway http-api-proxy`: an HTTP API request (payload format 2.0).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export const APIGATEWAY_HTTP_API_PROXY: EventDefinition = {
  name: 'http-api-proxy',
  describe: 'An HTTP API request (payload format 2.0)',
  options: [
    { name: 'method', describe: 'The HTTP method', default: 'POST' },
    { name: 'path', describe: 'The request path', default: '/path/to/resource' },
    { name: 'route-key', describe: "The route that matched: 'GET /items/{id}', or $default", default: '$default' },
    { name: 'stage', describe: 'The stage', default: '$default' },
    { name: 'body', describe: 'The request body', default: '{"test":"body"}' },
    { name: 'api-id', describe: 'The HTTP API ID', default: '1234567890' },
    ACCOUNT_OPTION,
    REGION_OPTION,
    PARTITION_OPTION,
  ],
  build: (values, context) => {
    const stage = valueOf(values, 'stage');
    const path = absolutePath(valueOf(values, 'path'));
    const rawPath = stage === '$default' ? path : `/${stage}${path}`;
    const routeKey = valueOf(values, 'route-key');
    const routePath = routeKey.split(' ')[1];
    const pathParameters = routePath === undefined ? null : matchPathParameters(routePath, path);
    const body = valueOf(values, 'body');
    const method = valueOf(values, 'method').toUpperCase();
    return {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString: '',
      headers: {
        accept: '*/*',
        ...(body === '' ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        host: apiHost(values),
        'user-agent': USER_AGENT,
        'x-amzn-trace-id': `Root=1-${Math.floor(context.now.getTime() / 1000).toString(16)}-${hexId(context, 24).toLowerCase()}`,
        'x-forwarded-for': SOURCE_IP,
        'x-forwarded-port': '443',
        'x-forwarded-proto': 'https',
      },
      requestContext: {
        accountId: valueOf(values, 'account-id'),
        apiId: valueOf(values, 'api-id'),
        domainName: apiHost(values),
        domainPrefix: valueOf(values, 'api-id'),
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: USER_AGENT },
        requestId: `${hexId(context, 14)}=`,
        routeKey,
        stage,
        time: apiGatewayTime(context.now),
        timeEpoch: context.now.getTime(),
      },
      ...(pathParameters === null ? {} : { pathParameters }),
      ...(body === '' ? {} : { body }),
      isBase64Encoded: false,
    };
  },
};

const LOCATION_NAMES = new Set(['account-id', 'region', 'partition']);

function methodArn(values: EventValues): string {
  const path = absolutePath(valueOf(values, 'path'));
  return arnOf(values, 'execute-api', `${valueOf(values, 'api-id')}/${valueOf(values, 'stage')}/${valueOf(values, 'method').toUpperCase()}${path}`);
}

/**
 * `apigateway authorizer`: a REST API TOKEN authorizer request.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export const APIGATEWAY_AUTHORIZER: EventDefinition = {
  name: 'authorizer',
  describe: 'A REST API TOKEN authorizer request',
  options: [
    { name: 'token', describe: 'The authorization token (the Authorization header)', default: 'allow' },
    ...API_OPTIONS.filter((option) => ['method', 'path', 'stage', 'api-id'].includes(option.name) || LOCATION_NAMES.has(option.name)),
  ],
  build: (values) => ({ type: 'TOKEN', authorizationToken: valueOf(values, 'token'), methodArn: methodArn(values) }),
};

/**
 * `apigateway request-authorizer`: a REST API REQUEST authorizer request, which gets the
 * request's headers, parameters and context.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export const APIGATEWAY_REQUEST_AUTHORIZER: EventDefinition = {
  name: 'request-authorizer',
  describe: 'A REST API REQUEST authorizer request',
  options: [
    { name: 'token', describe: 'The Authorization header', default: 'allow' },
    ...API_OPTIONS.filter((option) => option.name !== 'body'),
  ],
  build: (values, context) => ({
    type: 'REQUEST',
    methodArn: methodArn(values),
    ...restRequest({ ...values, body: '' }, context, { Authorization: valueOf(values, 'token') }),
  }),
};

/** Amazon API Gateway. */
export const APIGATEWAY_SERVICE: ServiceDefinition = {
  name: 'apigateway',
  describe: 'Amazon API Gateway requests and authorizers',
  events: [APIGATEWAY_AWS_PROXY, APIGATEWAY_HTTP_API_PROXY, APIGATEWAY_AUTHORIZER, APIGATEWAY_REQUEST_AUTHORIZER],
};
