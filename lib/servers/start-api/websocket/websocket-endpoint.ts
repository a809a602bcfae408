import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ApiStageSpec, WebSocketApiSpec, WebSocketRouteSpec } from '../../../assembly/index.js';
import type { LocalLambda } from '../../../host/index.js';
import { headerValue } from '../api-request.js';
import { authorizeWebSocket, type Authorizers } from '../authorizers/index.js';
import { invokeIntegration, type IntegrationOutcome } from '../invoke-integration.js';
import { toApiRequest } from '../read-request.js';
import type { ApiRequestSummary } from '../serve-endpoint.js';
import { newWebSocketId } from './connection-id.js';
import { serveManagementApi, type ManagedConnection } from './management-api.js';
import { readProxyResult } from './proxy-result.js';
import { selectRoute } from './select-route.js';
import { connectFailureStatus, errorFrame, failureMessage, refuseUpgrade } from './websocket-answers.js';
import { buildConnectAuthorizerEvent, buildConnectEvent, buildDisconnectEvent, buildMessageEvent, type ConnectionContext, type EventIds } from './websocket-events.js';
import { WEBSOCKET_IDLE_TIMEOUT_MS, WEBSOCKET_MAX_CONNECTION_MS, WEBSOCKET_MAX_MESSAGE_BYTES } from './websocket-limits.js';

/** How long a closing server waits for a client to answer its close frame before cutting the connection. */
const CLOSE_GRACE_MS = 1000;
/** The reason the service gives `$disconnect` when the client's close frame had no status. */
const NO_STATUS_REASON = 'Client-side close frame status not set';

/** Options of {@link WebSocketEndpoint}. */
export interface WebSocketEndpointOptions {
  readonly local: LocalLambda;
  /** The authorizer results and keys the server's endpoints share; without it `$connect` authorizers are not run. */
  readonly authorizers?: Authorizers;
  /** The port the endpoint listens on (for `X-Forwarded-Port`). */
  port(): number;
  /** Close a connection with no message either way for this long. @default 600000 (10 minutes, as the service) */
  readonly idleTimeoutMs?: number;
  /** Close a connection this long after it opened. @default 7200000 (2 hours, as the service) */
  readonly maxConnectionMs?: number;
  readonly onRequest?: (summary: ApiRequestSummary) => void;
  readonly onNotice?: (message: string) => void;
}

interface Connection extends ConnectionContext, ManagedConnection {
  readonly socket: WebSocket;
  /** Set when the server closes the connection: what `$disconnect` is told. */
  closedBy?: { readonly code: number; readonly reason: string };
  idleTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
}

/** The `$context` variables a `$connect` authorizer's identity sources can name. */
function connectContextVariables(context: ConnectionContext, ids: EventIds): Record<string, string> {
  return {
    stage: context.stage,
    routeKey: '$connect',
    eventType: 'CONNECT',
    connectionId: context.connectionId,
    requestId: ids.requestId,
    apiId: context.apiId,
    domainName: context.domainName,
    'identity.sourceIp': context.sourceIp,
    'identity.userAgent': context.userAgent ?? '',
  };
}

/** The stage a WebSocket URL names: its one path segment (`/prod`). */
function stageOf(api: WebSocketApiSpec, path: string): ApiStageSpec | undefined {
  const name = path.replace(/^\/+|\/+$/g, '');
  return api.stages.find((stage) => stage.stageName === name);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * One WebSocket API on its port, as API Gateway serves it: `$connect` decides the handshake,
 * messages go to the route the API's route selection expression picks (else `$default`),
 * `$disconnect` hears of every close, and `/<stage>/@connections/<id>` is the management API.
 */
export class WebSocketEndpoint {
  readonly #api: () => WebSocketApiSpec;
  readonly #options: WebSocketEndpointOptions;
  readonly #server: WebSocketServer;
  readonly #connections = new Map<string, Connection>();
  /** Invocations under way, awaited by close(). */
  readonly #tasks = new Set<Promise<void>>();
  /** What each accepted handshake adds to its 101 answer, from the `$connect` function's headers. */
  readonly #handshakes = new WeakMap<IncomingMessage, { protocol?: string; headers: readonly (readonly [string, string])[] }>();
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(api: () => WebSocketApiSpec, options: WebSocketEndpointOptions) {
    this.#api = api;
    this.#options = options;
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: WEBSOCKET_MAX_MESSAGE_BYTES,
      // API Gateway answers with the subprotocol `$connect` chose, and none when it chose none.
      handleProtocols: (_protocols, request) => this.#handshakes.get(request)?.protocol ?? false,
    });
    this.#server.on('headers', (headers, request) => {
      for (const [name, value] of this.#handshakes.get(request)?.headers ?? []) headers.push(`${name}: ${value}`);
    });
  }

  /** The `upgrade` listener of the endpoint's HTTP server. */
  readonly handleUpgrade = (message: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    this.#track(this.#connect(message, socket, head));
  };

  /** The `request` listener of the endpoint's HTTP server: the management API. */
  readonly handleRequest = (message: IncomingMessage, response: ServerResponse): void => {
    const api = this.#api();
    this.#track(
      serveManagementApi(message, response, {
        stages: api.stages,
        connection: (id) => this.#connections.get(id),
        send: (connection, data) => this.#send(connection as Connection, data, !isUtf8(data)),
        close: (connection) => this.#serverClose(connection as Connection, 1000, ''),
      }).then((statusCode) => this.#summary(api, { method: message.method ?? 'GET', url: message.url ?? '/', statusCode })),
    );
  };

  /** Closes every connection (`$disconnect` runs for each) and waits for the invocations under way. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    const closed = [...this.#connections.values()].map(async (connection) => {
      const gone = once(connection.socket, 'close');
      this.#serverClose(connection, 1001, 'Going away');
      const timer = new AbortController();
      await Promise.race([gone, sleep(CLOSE_GRACE_MS, undefined, { signal: timer.signal }).then(() => connection.socket.terminate(), () => undefined)]);
      timer.abort();
      await gone;
    });
    await Promise.allSettled(closed);
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    this.#server.close();
  }

  #track(task: Promise<void>): void {
    const settled = task.catch(() => undefined);
    this.#tasks.add(settled);
    void settled.finally(() => this.#tasks.delete(settled));
  }

  #summary(api: WebSocketApiSpec, summary: Omit<ApiRequestSummary, 'api'>): void {
    this.#options.onRequest?.({ api, ...summary });
  }

  #invoke(route: WebSocketRouteSpec, event: unknown): Promise<IntegrationOutcome> | undefined {
    const { integration } = route;
    if (integration.kind !== 'lambda-proxy') return undefined;
    const onRejected = this.#closing ? undefined : this.#options.onNotice;
    return invokeIntegration({
      local: this.#options.local,
      spec: integration.function,
      event,
      timeoutMs: integration.timeoutMs,
      ...(onRejected === undefined ? {} : { onRejected }),
    });
  }

  async #connect(message: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const api = this.#api();
    const request = toApiRequest(message, Buffer.alloc(0), this.#options.port());
    const url = message.url ?? '/';
    const stage = this.#closing ? undefined : stageOf(api, request.path);
    if (stage === undefined) {
      refuseUpgrade(socket, 403, '{"message":"Forbidden"}');
      this.#summary(api, { method: 'CONNECT', url, statusCode: 403, detail: this.#closing ? 'closing' : 'no such stage' });
      return;
    }
    const userAgent = headerValue(request, 'user-agent');
    let context: ConnectionContext = {
      connectionId: newWebSocketId(),
      connectedAtMs: request.timeEpochMs,
      apiId: api.apiId,
      stage: stage.stageName,
      domainName: headerValue(request, 'host') ?? `127.0.0.1:${this.#options.port()}`,
      sourceIp: request.sourceIp,
      ...(userAgent === undefined ? {} : { userAgent }),
    };
    const ids: EventIds = { requestId: newWebSocketId(), timeEpochMs: request.timeEpochMs };
    const route = api.routes.find((item) => item.routeKey === '$connect');
    if (route?.authorization !== undefined && this.#options.authorizers !== undefined) {
      const authorization = await authorizeWebSocket(this.#options.authorizers, api, route, {
        request,
        stage: stage.stageName,
        stageVariables: stage.variables,
        contextVariables: connectContextVariables(context, ids),
        event: buildConnectAuthorizerEvent(context, request, ids, stage.variables),
      });
      if (!authorization.ok) {
        const { answer } = authorization;
        const headers = answer.headers.filter(([name]) => name.toLowerCase() !== 'content-type');
        refuseUpgrade(socket, answer.statusCode, answer.body.toString('utf8'), headers);
        const ran = { ...(authorization.function === undefined ? {} : { function: authorization.function }), ...(authorization.requestId === undefined ? {} : { requestId: authorization.requestId }) };
        this.#summary(api, { method: 'CONNECT', url, statusCode: answer.statusCode, ...ran, detail: authorization.detail });
        return;
      }
      context = {
        ...context,
        ...(authorization.authorizer === undefined ? {} : { authorizer: authorization.authorizer }),
        ...(authorization.identity === undefined ? {} : { callerIdentity: authorization.identity }),
      };
    }
    let handshake: { protocol?: string; headers: readonly (readonly [string, string])[] } = { headers: [] };
    if (route !== undefined) {
      const fn = route.integration.kind === 'lambda-proxy' ? route.integration.function : undefined;
      const pending = this.#invoke(route, buildConnectEvent(context, request, ids));
      const outcome = pending === undefined ? undefined : await pending;
      const ran = { ...(fn === undefined ? {} : { function: fn }), ...(outcome === undefined || outcome.kind === 'stream' || outcome.requestId === undefined ? {} : { requestId: outcome.requestId }) };
      if (outcome === undefined || outcome.kind !== 'payload') {
        const statusCode = outcome?.kind === 'failure' ? connectFailureStatus(outcome.failure) : 501;
        refuseUpgrade(socket, statusCode, '{"message": "Internal server error"}');
        this.#summary(api, { method: 'CONNECT', url, statusCode, ...ran, detail: outcome?.kind === 'failure' ? outcome.detail : 'an integration cdk-local does not emulate' });
        return;
      }
      const result = readProxyResult(outcome.body);
      if (result.statusCode !== undefined && (result.statusCode < 200 || result.statusCode > 299)) {
        refuseUpgrade(socket, result.statusCode, result.body?.toString('utf8') ?? '');
        this.#summary(api, { method: 'CONNECT', url, statusCode: result.statusCode, ...ran });
        return;
      }
      const protocol = result.headers.find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
      const passed = result.headers.filter(([name]) => !/^(sec-websocket-|connection$|upgrade$|content-length$|transfer-encoding$)/i.test(name));
      handshake = { ...(protocol === undefined ? {} : { protocol: protocol.split(',')[0]!.trim() }), headers: passed };
    }
    if (socket.destroyed || this.#closing) return;
    this.#handshakes.set(message, handshake);
    this.#server.handleUpgrade(message, socket, head, (ws) => this.#accept(ws, context));
    this.#summary(api, { method: 'CONNECT', url, statusCode: 101 });
  }

  #accept(socket: WebSocket, context: ConnectionContext): void {
    const connection: Connection = { ...context, socket, lastActiveAtMs: context.connectedAtMs };
    this.#connections.set(connection.connectionId, connection);
    const idleTimeoutMs = this.#options.idleTimeoutMs ?? WEBSOCKET_IDLE_TIMEOUT_MS;
    const maxConnectionMs = this.#options.maxConnectionMs ?? WEBSOCKET_MAX_CONNECTION_MS;
    connection.maxTimer = setTimeout(() => this.#serverClose(connection, 1001, 'Going away'), maxConnectionMs).unref();
    connection.idleTimer = setTimeout(() => this.#serverClose(connection, 1001, 'Going away'), idleTimeoutMs).unref();
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      this.#touch(connection);
      this.#track(this.#message(connection, toBuffer(data), isBinary));
    });
    socket.on('close', (code, reason) => {
      clearTimeout(connection.idleTimer);
      clearTimeout(connection.maxTimer);
      this.#connections.delete(connection.connectionId);
      const told = connection.closedBy ?? { code, reason: code === 1005 ? NO_STATUS_REASON : reason.toString('utf8') };
      this.#track(this.#disconnect(connection, told.code, told.reason));
    });
  }

  #touch(connection: Connection): void {
    connection.lastActiveAtMs = Date.now();
    connection.idleTimer?.refresh();
  }

  #serverClose(connection: Connection, code: number, reason: string): void {
    connection.closedBy ??= { code, reason };
    connection.socket.close(code, reason);
  }

  #send(connection: Connection, data: Buffer, binary: boolean): boolean {
    if (connection.socket.readyState !== connection.socket.OPEN) return false;
    this.#touch(connection);
    connection.socket.send(data, { binary });
    return true;
  }

  async #message(connection: Connection, data: Buffer, binary: boolean): Promise<void> {
    const api = this.#api();
    const ids: EventIds = { requestId: newWebSocketId(), timeEpochMs: Date.now() };
    const messageRoutes = api.routes.filter((route) => route.routeKey !== '$connect' && route.routeKey !== '$disconnect');
    const route = selectRoute(messageRoutes, api.routeSelectionExpression, binary ? undefined : data.toString('utf8'));
    const frameError = (message: string): void => void this.#send(connection, Buffer.from(errorFrame(message, connection.connectionId, ids.requestId)), false);
    if (route === undefined) {
      frameError('Forbidden');
      this.#summary(api, { method: 'MESSAGE', url: '(no route)', statusCode: 403, detail: 'no route for the message and no $default route' });
      return;
    }
    const event = buildMessageEvent(connection, { data, binary, routeKey: route.routeKey, messageId: newWebSocketId() }, ids);
    const fn = route.integration.kind === 'lambda-proxy' ? route.integration.function : undefined;
    const pending = this.#invoke(route, event);
    const outcome = pending === undefined ? undefined : await pending;
    const ran = { ...(fn === undefined ? {} : { function: fn }), ...(outcome === undefined || outcome.kind === 'stream' || outcome.requestId === undefined ? {} : { requestId: outcome.requestId }) };
    if (outcome === undefined || outcome.kind !== 'payload') {
      // Even a one-way route tells the client that its message could not be handled.
      frameError(outcome?.kind === 'failure' ? failureMessage(outcome.failure) : 'Internal server error');
      this.#summary(api, { method: 'MESSAGE', url: route.routeKey, statusCode: 500, ...ran, detail: outcome?.kind === 'failure' ? outcome.detail : 'an integration cdk-local does not emulate' });
      return;
    }
    const result = readProxyResult(outcome.body);
    if (route.returnsResponse && result.body !== undefined && result.body.length > 0) this.#send(connection, result.body, result.binary);
    this.#summary(api, { method: 'MESSAGE', url: route.routeKey, statusCode: result.statusCode ?? 200, ...ran });
  }

  async #disconnect(connection: Connection, code: number, reason: string): Promise<void> {
    const api = this.#api();
    const route = api.routes.find((item) => item.routeKey === '$disconnect');
    if (route === undefined) return;
    const ids: EventIds = { requestId: newWebSocketId(), timeEpochMs: Date.now() };
    const pending = this.#invoke(route, buildDisconnectEvent(connection, { statusCode: code, reason }, ids));
    const outcome = pending === undefined ? undefined : await pending;
    const fn = route.integration.kind === 'lambda-proxy' ? route.integration.function : undefined;
    this.#summary(api, {
      method: 'DISCONNECT',
      url: `${code}${reason === '' ? '' : ` ${reason}`}`,
      statusCode: outcome?.kind === 'payload' ? 200 : 500,
      ...(fn === undefined ? {} : { function: fn }),
      ...(outcome === undefined || outcome.kind === 'stream' || outcome.requestId === undefined ? {} : { requestId: outcome.requestId }),
      ...(outcome?.kind === 'failure' ? { detail: outcome.detail } : {}),
    });
  }
}
