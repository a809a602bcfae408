import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiSpec, ApiStageSpec, FunctionSpec, FunctionUrlEndpointSpec, HttpApiSpec, RestApiSpec } from '../../assembly/index.js';
import type { LocalLambda } from '../../host/index.js';
import { decodeComponent, headerValue, shortRequestId, isTextContentType, mediaTypeMatches, type ApiAnswer, type ApiRequest } from './api-request.js';
import { authorizeHttp, authorizeRest, authorizeUrl, withAuthorization, type Authorizers, type Refused } from './authorizers/index.js';
import { buildV1Event, buildV2Event, type EventContext } from './build-event.js';
import { corsOf, isPreflight, preflightAnswer, withCorsHeaders } from './cors.js';
import { failureAnswer, notImplementedAnswer, type FrontEnd } from './front-end-answers.js';
import { invokeIntegration, type IntegrationOutcome } from './invoke-integration.js';
import { matchHttpRoute, matchRestRoute } from './match-route.js';
import { mapV1Response, mapV2Response, type MappedResponse } from './map-response.js';
import { BodyTooLarge, readBody, toApiRequest } from './read-request.js';
import { checkMethodRequest, withApiKey } from './method-request.js';
import { runRestIntegration } from './rest-integration.js';
import { safeHeaders } from './safe-headers.js';
import { streamToClient } from './stream-response.js';

/** API Gateway takes request bodies up to 10 MB; Lambda takes events up to 6 MB. */
const API_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
const URL_BODY_LIMIT_BYTES = 6 * 1024 * 1024;

/** One request the server answered, for a per-request log line. */
export interface ApiRequestSummary {
  readonly api: ApiSpec;
  readonly method: string;
  /** The path as sent, with the query string. */
  readonly url: string;
  readonly statusCode: number;
  /** The function that ran, if one did. */
  readonly function?: FunctionSpec;
  /** The invocation's request ID, if one ran. */
  readonly requestId?: string;
  /** Why the front end answered by itself (a function error, a malformed response, no route). */
  readonly detail?: string;
}

/** What every endpoint's handler shares. */
export interface EndpointContext {
  readonly local: LocalLambda;
  /** The authorizers' shared state (result cache, issuers' keys). */
  readonly authorizers: Authorizers;
  /** The port the endpoint listens on (for `X-Forwarded-Port`). */
  port(): number;
  readonly onRequest?: (summary: ApiRequestSummary) => void;
  readonly onNotice?: (message: string) => void;
}

/** What the handler of one kind of front end makes of a request. */
interface Handled {
  readonly answer?: ApiAnswer;
  /** Set when the handler wrote the response itself (a stream). */
  readonly written?: { readonly statusCode: number };
  readonly function?: FunctionSpec;
  readonly requestId?: string;
  readonly detail?: string;
  /** The front end answered a CORS preflight itself: its headers are final. */
  readonly preflight?: boolean;
}

function frontEndOf(api: ApiSpec): FrontEnd {
  return api.kind === 'rest' ? 'rest' : api.kind === 'url' ? 'url' : 'http';
}

function domainOf(request: ApiRequest): string {
  const host = headerValue(request, 'host') ?? 'localhost';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? host);
}

function write(response: ServerResponse, answer: ApiAnswer, frontEndHeaders: readonly (readonly [string, string])[]): void {
  const headers = [...answer.headers, ...frontEndHeaders];
  response.writeHead(answer.statusCode, headers.flat());
  response.end(answer.body);
}

/** Stage and path for a REST API: the first segment names the stage. */
function restStage(api: RestApiSpec, path: string): { stage: ApiStageSpec; path: string } | undefined {
  const [, first = '', ...rest] = path.split('/');
  const stage = api.stages.find((item) => item.stageName === first);
  return stage === undefined ? undefined : { stage, path: `/${rest.join('/')}` };
}

/** Stage and path for an HTTP API: a named stage by the first segment, else `$default`. */
function httpStage(api: HttpApiSpec, path: string): { stage: ApiStageSpec; path: string } | undefined {
  const [, first = '', ...rest] = path.split('/');
  const named = api.stages.find((item) => item.stageName !== '$default' && item.stageName === first);
  if (named !== undefined) return { stage: named, path: `/${rest.join('/')}` };
  const fallback = api.stages.find((item) => item.stageName === '$default');
  return fallback === undefined ? undefined : { stage: fallback, path };
}

function mapped(result: MappedResponse, frontEnd: FrontEnd, fn: FunctionSpec, requestId: string): Handled {
  if (!result.ok) return { answer: failureAnswer(frontEnd, 'malformed'), function: fn, requestId, detail: `malformed response: ${result.reason}` };
  const headers = safeHeaders(result.answer.headers);
  if (headers === undefined) return { answer: failureAnswer(frontEnd, 'malformed'), function: fn, requestId, detail: 'malformed response: a header HTTP cannot carry' };
  return { answer: { ...result.answer, headers }, function: fn, requestId };
}

function failed(outcome: Extract<IntegrationOutcome, { kind: 'failure' }>, frontEnd: FrontEnd, fn: FunctionSpec): Handled {
  return { answer: failureAnswer(frontEnd, outcome.failure), function: fn, ...(outcome.requestId === undefined ? {} : { requestId: outcome.requestId }), detail: outcome.detail };
}

async function handleRest(api: RestApiSpec, request: ApiRequest, response: ServerResponse, context: EndpointContext): Promise<Handled> {
  const staged = restStage(api, request.path);
  const match = staged === undefined ? undefined : matchRestRoute(api.routes, request.method, staged.path);
  if (staged === undefined || match === undefined) return { answer: failureAnswer('rest', 'not-found'), detail: 'no such stage, resource or method' };
  const { integration } = match.route;
  const contentType = headerValue(request, 'content-type');
  const eventContext: EventContext = {
    ...eventBase(api.apiId, api.accountId, request),
    stage: staged.stage.stageName,
    stageVariables: staged.stage.variables,
    pathParameters: match.pathParameters,
    path: staged.path,
    resource: match.route.resourcePath,
    routeKey: `${match.route.httpMethod} ${match.route.resourcePath}`,
    binaryBody: contentType !== undefined && api.binaryMediaTypes.some((type) => mediaTypeMatches(contentType, type)),
    resourceId: stableId(`${api.apiId}${match.route.resourcePath}`),
    deploymentId: stableId(`${api.apiId}/${staged.stage.stageName}`),
  };
  // The method's authorizer decides first; then the API key and the request validator, before any integration runs.
  const authorized = await authorizeRest(context.authorizers, api, match.route, eventContext);
  if (!authorized.ok) return refusal(authorized);
  const checked = checkMethodRequest(api, staged.stage, match.route, request, match.pathParameters);
  if (!checked.ok) return checked;
  if (integration.kind !== 'lambda-proxy') {
    return runRestIntegration({ api, stage: staged.stage, route: match.route, integration, request, pathParameters: match.pathParameters, path: staged.path, ...(checked.apiKey === undefined ? {} : { apiKey: checked.apiKey }), local: context.local, response, ...rejected(context) });
  }
  const event = withAuthorization(buildV1Event(eventContext, 'rest'), authorized);
  if (checked.apiKey !== undefined) withApiKey(event, checked.apiKey);
  // A streamed method answers as the function writes, without the integration timeout.
  const streamed = integration.responseTransferMode === 'STREAM';
  const outcome = await invokeIntegration({ local: context.local, spec: integration.function, event, ...(streamed ? { stream: true } : { timeoutMs: integration.timeoutMs }), ...rejected(context) });
  if (outcome.kind === 'failure') return failed(outcome, 'rest', integration.function);
  if (outcome.kind === 'stream') return streamToClient(outcome, response, integration.function, { frontEnd: 'rest', frontEndHeaders: frontEndHeaders(api, request, {}) });
  const accept = headerValue(request, 'accept');
  const isBinary = (type: string | undefined): boolean =>
    api.binaryMediaTypes.some((pattern) => (accept !== undefined && accept.split(',').some((item) => mediaTypeMatches(item, pattern))) || (type !== undefined && mediaTypeMatches(type, pattern)));
  return mapped(mapV1Response(outcome.body, { strict: true, decodeBase64: isBinary }), 'rest', integration.function, outcome.requestId);
}

function refusal(refused: Refused): Handled {
  return { answer: refused.answer, detail: refused.detail, ...(refused.function === undefined ? {} : { function: refused.function }), ...(refused.requestId === undefined ? {} : { requestId: refused.requestId }) };
}

function stableId(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).padStart(6, '0').slice(-6);
}

function eventBase(apiId: string, accountId: string, request: ApiRequest): Pick<EventContext, 'request' | 'apiId' | 'accountId' | 'domainName' | 'extendedRequestId'> {
  return { request, apiId, accountId, domainName: domainOf(request), extendedRequestId: shortRequestId(request.requestId) };
}

function rejected(context: EndpointContext): { onRejected?: (message: string) => void } {
  return context.onNotice === undefined ? {} : { onRejected: context.onNotice };
}

async function handleHttp(api: HttpApiSpec, request: ApiRequest, context: EndpointContext): Promise<Handled> {
  // HTTP APIs decode the path before routing, and pass it on decoded.
  const decodedPath = decodeComponent(request.path);
  const staged = httpStage(api, decodedPath);
  const match = staged === undefined ? undefined : matchHttpRoute(api.routes, request.method, staged.path);
  // A route for OPTIONS (its own, ANY, $default) takes the preflight; otherwise the API answers it.
  if (staged !== undefined && match === undefined && api.cors !== undefined && isPreflight(request)) return { answer: preflightAnswer(api.cors, request), detail: 'CORS preflight', preflight: true };
  if (staged === undefined || match === undefined) return { answer: failureAnswer('http', 'not-found'), detail: 'no such stage or route' };
  const { integration } = match.route;
  const eventContext: EventContext = {
    ...eventBase(api.apiId, api.accountId, request),
    // An HTTP API's request ID is the short one its apigw-requestid header carries.
    request: { ...request, requestId: shortRequestId(request.requestId) },
    stage: staged.stage.stageName,
    stageVariables: staged.stage.variables,
    pathParameters: match.pathParameters,
    path: staged.path,
    resource: match.route.path ?? '$default',
    routeKey: match.route.routeKey,
    binaryBody: !isTextContentType(headerValue(request, 'content-type')),
  };
  const version = integration.kind === 'lambda-proxy' ? integration.payloadFormatVersion : '2.0';
  const authorized = await authorizeHttp(context.authorizers, api, match.route, eventContext, decodedPath, version);
  if (!authorized.ok) return refusal(authorized);
  if (integration.kind !== 'lambda-proxy') {
    const description = integration.kind === 'unsupported' ? integration.description : `a ${integration.kind} integration`;
    return { answer: notImplementedAnswer(description), detail: description };
  }
  const event = withAuthorization(integration.payloadFormatVersion === '2.0' ? buildV2Event(eventContext, { rawPath: decodedPath }) : buildV1Event(eventContext, 'http'), authorized);
  const outcome = await invokeIntegration({ local: context.local, spec: integration.function, event, timeoutMs: integration.timeoutMs, ...rejected(context) });
  if (outcome.kind === 'failure') return failed(outcome, 'http', integration.function);
  if (outcome.kind !== 'payload') return { answer: failureAnswer('http', 'function-error'), function: integration.function };
  const result = integration.payloadFormatVersion === '2.0' ? mapV2Response(outcome.body) : mapV1Response(outcome.body, { strict: false, decodeBase64: () => true });
  return mapped(result, 'http', integration.function, outcome.requestId);
}

async function handleUrl(api: FunctionUrlEndpointSpec, request: ApiRequest, response: ServerResponse, context: EndpointContext): Promise<Handled> {
  if (api.cors !== undefined && isPreflight(request)) return { answer: preflightAnswer(api.cors, request), detail: 'CORS preflight', preflight: true };
  const authorized = authorizeUrl(api, request);
  if (!authorized.ok) return refusal(authorized);
  const event = buildV2Event(
    {
      ...eventBase(api.urlId, api.authType === 'NONE' ? 'anonymous' : api.accountId, request),
      stage: '$default',
      stageVariables: {},
      pathParameters: {},
      path: request.path,
      resource: '$default',
      routeKey: '$default',
      binaryBody: !isTextContentType(headerValue(request, 'content-type')),
    },
    { rawPath: request.path, ...(authorized.authorizer === undefined ? {} : { authorizer: authorized.authorizer }) },
  );
  const fn = api.function;
  const streamed = api.invokeMode === 'RESPONSE_STREAM';
  // The URL's request ID is the invocation's own: one ID in the event, the header and the logs.
  const outcome = await invokeIntegration({ local: context.local, spec: fn, event, stream: streamed, requestId: request.requestId, ...rejected(context) });
  if (outcome.kind === 'failure') return failed(outcome, 'url', fn);
  if (outcome.kind === 'payload') return mapped(mapV2Response(outcome.body), 'url', fn, outcome.requestId);
  const { cors } = api;
  return streamToClient(outcome, response, fn, {
    frontEnd: 'url',
    frontEndHeaders: [['x-amzn-RequestId', outcome.handle.requestId]],
    ...(cors === undefined ? {} : { headers: (headers) => withCorsHeaders(cors, request, headers) }),
  });
}

function frontEndHeaders(api: ApiSpec, request: ApiRequest, handled: Handled): [string, string][] {
  const traceId = headerValue(request, 'x-amzn-trace-id') ?? '';
  switch (api.kind) {
    case 'rest':
      return [
        ['x-amzn-RequestId', request.requestId],
        ['x-amz-apigw-id', shortRequestId(request.requestId)],
        ['X-Amzn-Trace-Id', traceId],
      ];
    case 'url':
      return [
        ['x-amzn-RequestId', handled.requestId ?? request.requestId],
        ['X-Amzn-Trace-Id', traceId],
      ];
    default:
      return [['apigw-requestid', shortRequestId(request.requestId)]];
  }
}

/**
 * The request handler of one API or function URL: routes, invokes, maps, answers. Whatever
 * goes wrong, the client gets the service's own answer, never an error page of cdk-local's.
 * Given a function, the handler asks it for the API at each request.
 */
export function createRequestHandler(endpoint: ApiSpec | (() => ApiSpec), context: EndpointContext): (message: IncomingMessage, response: ServerResponse) => void {
  const current = typeof endpoint === 'function' ? endpoint : () => endpoint;
  return (message, response) => {
    // Read per request: a followed app's API can change its routes and functions while served.
    const api = current();
    const frontEnd = frontEndOf(api);
    const limit = api.kind === 'url' ? URL_BODY_LIMIT_BYTES : API_BODY_LIMIT_BYTES;
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(message, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge && !response.headersSent) {
          response.setHeader('Connection', 'close');
          write(response, failureAnswer(frontEnd, 'payload-too-large'), []);
        } else {
          response.destroy();
        }
        return;
      }
      const request = toApiRequest(message, body, context.port());
      let handled: Handled;
      try {
        handled =
          api.kind === 'rest'
            ? await handleRest(api, request, response, context)
            : api.kind === 'http'
              ? await handleHttp(api, request, context)
              : api.kind === 'url'
                ? await handleUrl(api, request, response, context)
                : { answer: notImplementedAnswer('WebSocket APIs') };
      } catch (error) {
        handled = { answer: failureAnswer(frontEnd, 'rejected'), detail: error instanceof Error ? error.message : String(error) };
      }
      const cors = corsOf(api);
      if (cors !== undefined && handled.answer !== undefined && handled.preflight !== true) handled = { ...handled, answer: { ...handled.answer, headers: withCorsHeaders(cors, request, handled.answer.headers) } };
      if (handled.answer !== undefined && !response.headersSent) write(response, handled.answer, frontEndHeaders(api, request, handled));
      else if (handled.answer !== undefined) response.end();
      context.onRequest?.({
        api,
        method: request.method,
        url: message.url ?? '/',
        statusCode: handled.written?.statusCode ?? handled.answer?.statusCode ?? 500,
        ...(handled.function === undefined ? {} : { function: handled.function }),
        ...(handled.requestId === undefined ? {} : { requestId: handled.requestId }),
        ...(handled.detail === undefined ? {} : { detail: handled.detail }),
      });
    })();
  };
}
