import { formatRequestTime, parseQueryString, type ApiRequest } from '../api-request.js';

/** What API Gateway knows of one WebSocket connection, the same in every event of it. */
export interface ConnectionContext {
  readonly connectionId: string;
  readonly connectedAtMs: number;
  readonly apiId: string;
  readonly stage: string;
  /** The host (and port) the client connected to: the event's `domainName`. */
  readonly domainName: string;
  readonly sourceIp: string;
  readonly userAgent?: string;
  /** What the `$connect` authorizer said (`principalId`, its context): every event of the connection carries it. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
  /** Fields of `requestContext.identity` the `$connect` request's signature told (`AWS_IAM`). */
  readonly callerIdentity?: Readonly<Record<string, unknown>>;
}

/** What changes from one event of a connection to the next. */
export interface EventIds {
  /** The short request ID API Gateway gives each event; also its `extendedRequestId`. */
  readonly requestId: string;
  readonly timeEpochMs: number;
}

function requestContext(connection: ConnectionContext, ids: EventIds, routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT'): Record<string, unknown> {
  return {
    routeKey,
    eventType,
    extendedRequestId: ids.requestId,
    requestTime: formatRequestTime(ids.timeEpochMs),
    messageDirection: 'IN',
    stage: connection.stage,
    connectedAt: connection.connectedAtMs,
    requestTimeEpoch: ids.timeEpochMs,
    identity: { ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }), sourceIp: connection.sourceIp, ...connection.callerIdentity },
    ...(connection.authorizer === undefined ? {} : { authorizer: { ...connection.authorizer } }),
    requestId: ids.requestId,
    domainName: connection.domainName,
    connectionId: connection.connectionId,
    apiId: connection.apiId,
  };
}

/** Headers the upgrade itself owns: API Gateway does not pass them on (U.116). */
const UPGRADE_HEADERS = new Set(['connection', 'upgrade']);

/**
 * The event of the `$connect` route: the upgrade request's headers and query string, and the
 * connection's context.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html
 */
export function buildConnectEvent(connection: ConnectionContext, request: ApiRequest, ids: EventIds): Record<string, unknown> {
  return connectRequest(connection, request, ids, false);
}

/**
 * The event of a `$connect` Lambda `REQUEST` authorizer, without its `type` and `methodArn`:
 * the upgrade request whole (its `Connection` and `Upgrade` headers too), the stage's
 * variables, and the connection's context.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
export function buildConnectAuthorizerEvent(connection: ConnectionContext, request: ApiRequest, ids: EventIds, stageVariables: Readonly<Record<string, string>>): Record<string, unknown> {
  const { requestContext, isBase64Encoded: _encoded, ...rest } = connectRequest(connection, request, ids, true);
  return { ...rest, stageVariables: { ...stageVariables }, requestContext };
}

function connectRequest(connection: ConnectionContext, request: ApiRequest, ids: EventIds, upgradeHeaders: boolean): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    if (!upgradeHeaders && UPGRADE_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of parseQueryString(request.rawQueryString)) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  return {
    headers,
    multiValueHeaders,
    ...(hasQuery ? { queryStringParameters, multiValueQueryStringParameters } : {}),
    requestContext: requestContext(connection, ids, '$connect', 'CONNECT'),
    isBase64Encoded: false,
  };
}

/** The event of a message's route: the message as `body`, base64 when it came in a binary frame. */
export function buildMessageEvent(connection: ConnectionContext, message: { readonly data: Buffer; readonly binary: boolean; readonly routeKey: string; readonly messageId: string }, ids: EventIds): Record<string, unknown> {
  return {
    requestContext: { ...requestContext(connection, ids, message.routeKey, 'MESSAGE'), messageId: message.messageId },
    body: message.binary ? message.data.toString('base64') : message.data.toString('utf8'),
    isBase64Encoded: message.binary,
  };
}

/** The event of the `$disconnect` route: how the connection ended (close code and reason). */
export function buildDisconnectEvent(connection: ConnectionContext, close: { readonly statusCode: number; readonly reason: string }, ids: EventIds): Record<string, unknown> {
  const headers: Record<string, string> = { Host: connection.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return {
    headers,
    multiValueHeaders,
    requestContext: { ...requestContext(connection, ids, '$disconnect', 'DISCONNECT'), disconnectStatusCode: close.statusCode, disconnectReason: close.reason },
    isBase64Encoded: false,
  };
}
