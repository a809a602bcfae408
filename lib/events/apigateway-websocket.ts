import { apiGatewayTime } from './apigateway.js';
import type { EventContext } from './event-definition.js';

/** Where a WebSocket route is: its API, stage and place. */
export interface WebSocketRouteLocation {
  readonly apiId: string;
  readonly stage: string;
  readonly routeKey: string;
  readonly region: string;
  readonly partition: string;
}

/** An ID in the shape API Gateway gives WebSocket connections and requests (`L0SM9cOFvHcCIhw=`). */
function shortId(context: EventContext): string {
  return Buffer.from(context.uuid().replace(/-/g, '').slice(0, 22), 'hex').toString('base64');
}

/**
 * The event a WebSocket API route sends its function: `$connect` (with the upgrade request's
 * headers), `$disconnect` (a normal close), or a message (`{"action":"<route>"}` for a custom
 * route, as `$request.body.action` selects it).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html
 */
export function webSocketRouteEvent(location: WebSocketRouteLocation, context: EventContext): Record<string, unknown> {
  const domainName = `${location.apiId}.execute-api.${location.region}.${location.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  const nowMs = context.now.getTime();
  const requestId = shortId(context);
  const requestContext = {
    routeKey: location.routeKey,
    eventType: location.routeKey === '$connect' ? 'CONNECT' : location.routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
    extendedRequestId: requestId,
    requestTime: apiGatewayTime(context.now),
    messageDirection: 'IN',
    stage: location.stage,
    connectedAt: nowMs,
    requestTimeEpoch: nowMs,
    identity: { userAgent: 'Mozilla/5.0', sourceIp: '203.0.113.10' },
    requestId,
    domainName,
    connectionId: shortId(context),
    apiId: location.apiId,
  };
  if (location.routeKey === '$connect') {
    const headers: Record<string, string> = {
      Host: domainName,
      'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
      'Sec-WebSocket-Key': Buffer.from(context.uuid().replace(/-/g, '').slice(0, 32), 'hex').toString('base64'),
      'Sec-WebSocket-Version': '13',
      'User-Agent': 'Mozilla/5.0',
      'X-Amzn-Trace-Id': `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${context.uuid().replace(/-/g, '').slice(0, 24)}`,
      'X-Forwarded-For': '203.0.113.10',
      'X-Forwarded-Port': '443',
      'X-Forwarded-Proto': 'https',
    };
    const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
    return { headers, multiValueHeaders, requestContext, isBase64Encoded: false };
  }
  if (location.routeKey === '$disconnect') {
    const headers: Record<string, string> = { Host: domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
    const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
    return { headers, multiValueHeaders, requestContext: { ...requestContext, disconnectStatusCode: 1000, disconnectReason: '' }, isBase64Encoded: false };
  }
  const body = location.routeKey === '$default' ? '{"message":"hello"}' : JSON.stringify({ action: location.routeKey });
  return { requestContext: { ...requestContext, messageId: shortId(context) }, body, isBase64Encoded: false };
}
