import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiStageSpec } from '../../../assembly/index.js';
import { BodyTooLarge, readBody } from '../read-request.js';
import { WEBSOCKET_MAX_MESSAGE_BYTES } from './websocket-limits.js';

/** What the management API knows of a connection. */
export interface ManagedConnection {
  readonly connectionId: string;
  readonly connectedAtMs: number;
  readonly sourceIp: string;
  readonly userAgent?: string;
  lastActiveAtMs: number;
}

/** What the management API acts on. */
export interface ManagementTarget {
  readonly stages: readonly ApiStageSpec[];
  connection(connectionId: string): ManagedConnection | undefined;
  /** Sends data to the client; false when the connection is no longer open. */
  send(connection: ManagedConnection, data: Buffer): boolean;
  close(connection: ManagedConnection): void;
}

/** `/<stage>/@connections/<connectionId>`, the path the service serves the API at (U.123). */
const CONNECTION_PATH = /^\/([^/]+)\/@connections\/([^/]+)$/;

function answer(response: ServerResponse, statusCode: number, body: string, errorType?: string): number {
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  if (errorType !== undefined) headers.push(['x-amzn-ErrorType', errorType]);
  response.writeHead(statusCode, headers.flat());
  response.end(body);
  return statusCode;
}

/**
 * One request to the `@connections` API: PostToConnection (POST), GetConnection (GET) and
 * DeleteConnection (DELETE), answered as the service answers them; 410 `GoneException` for a
 * connection that is not open. Requests must be signed (any SigV4 signature is accepted).
 * Resolves to the status answered.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */
export async function serveManagementApi(message: IncomingMessage, response: ServerResponse, target: ManagementTarget): Promise<number> {
  let body: Buffer;
  try {
    body = await readBody(message, WEBSOCKET_MAX_MESSAGE_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) {
      response.destroy();
      return 400;
    }
    response.setHeader('Connection', 'close');
    return answer(response, 413, '{"message":"Request entity too large"}', 'PayloadTooLargeException');
  }
  const path = (message.url ?? '/').split('?')[0]!;
  const match = CONNECTION_PATH.exec(path);
  const stage = match === null ? undefined : target.stages.find((item) => item.stageName === decodeURIComponent(match[1]!));
  if (match === null || stage === undefined) return answer(response, 403, '{"message":"Forbidden"}', 'ForbiddenException');
  if (message.headers.authorization === undefined) return answer(response, 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException');
  const method = (message.method ?? 'GET').toUpperCase();
  if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return answer(response, 403, '{"message":"Forbidden"}', 'ForbiddenException');
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(match[2]!);
  } catch {
    connectionId = match[2]!;
  }
  const connection = target.connection(connectionId);
  if (connection === undefined) return answer(response, 410, '{"message":null}', 'GoneException');
  switch (method) {
    case 'POST':
      if (!target.send(connection, body)) return answer(response, 410, '{"message":null}', 'GoneException');
      return answer(response, 200, '');
    case 'GET':
      return answer(
        response,
        200,
        JSON.stringify({
          connectedAt: new Date(connection.connectedAtMs).toISOString(),
          identity: { sourceIp: connection.sourceIp, ...(connection.userAgent === undefined ? {} : { userAgent: connection.userAgent }) },
          lastActiveAt: new Date(connection.lastActiveAtMs).toISOString(),
        }),
      );
    default:
      target.close(connection);
      response.writeHead(204);
      response.end();
      return 204;
  }
}
