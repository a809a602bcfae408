import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { ApiSpec, WebSocketApiSpec } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { LocalLambda } from '../../host/index.js';
import { describeCorsGap } from './cors.js';
import { Authorizers, describeAuthorization } from './authorizers/index.js';
import { describeApiKeys } from './api-keys.js';
import { createRequestHandler, type ApiRequestSummary } from './serve-endpoint.js';
import { WebSocketEndpoint } from './websocket/websocket-endpoint.js';

/** Options of {@link startApi}. */
export interface StartApiOptions {
  /** The app whose APIs and function URLs are served; the caller owns it and closes it. */
  readonly local: LocalLambda;
  /** The APIs and URLs to serve. @default every one of `local.apis` */
  readonly apis?: readonly ApiSpec[];
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * The first port: each API and URL gets its own, upwards from this one in the order of
   * `apis`. 0 gives each a free port.
   * @default 0
   */
  readonly port?: number;
  /** Closes every server when aborted. */
  readonly signal?: AbortSignal;
  /** Receives each request once it is answered. */
  readonly onRequest?: (summary: ApiRequestSummary) => void;
  /** Receives one-line notices: what is not emulated, and where. */
  readonly onNotice?: (message: string) => void;
  /** WebSocket connection limits. @default the service's: 10 minutes idle, 2 hours in all */
  readonly webSocket?: { readonly idleTimeoutMs?: number; readonly maxConnectionMs?: number };
  /**
   * Check JWT and Cognito tokens' signatures against their issuer's keys when those can be
   * fetched; false accepts any signature (`--no-verify-jwt`).
   * @default true
   */
  readonly verifyJwt?: boolean;
}

/** What an endpoint is, in the words of the ready lines. */
export type EndpointKind = 'REST API' | 'HTTP API' | 'WebSocket API' | 'function URL';

/** One served API or function URL. */
export interface ApiEndpoint {
  readonly kind: EndpointKind;
  /** The construct path of the API, or of the function URL. */
  readonly path: string;
  /** Where to send requests: a REST API's URL carries its first stage, a named HTTP API stage too; a WebSocket API's is `ws://` with its first stage. */
  readonly url: string;
  readonly port: number;
  readonly api: ApiSpec;
}

/** The listening APIs and function URLs. */
export interface ApiServer extends AsyncDisposable {
  readonly endpoints: readonly ApiEndpoint[];
  /** Stops listening and waits for the answers under way (closing the LocalLambda ends them at once). Idempotent. */
  close(): Promise<void>;
  /**
   * Closes every WebSocket connection (1001, as the service going away) and waits for their
   * `$disconnect` invocations; new connections are refused. Call it before closing the LocalLambda
   * so that those functions can still run. Idempotent.
   */
  disconnect(): Promise<void>;
}

const KINDS: Record<ApiSpec['kind'], EndpointKind> = { rest: 'REST API', http: 'HTTP API', websocket: 'WebSocket API', url: 'function URL' };

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The path the endpoint's URL ends with: a REST API's first stage, a named HTTP API stage. */
function basePath(api: ApiSpec): string {
  if (api.kind === 'rest') return `/${api.stages[0]?.stageName ?? ''}/`;
  if (api.kind === 'http' && !api.stages.some((stage) => stage.stageName === '$default')) return `/${api.stages[0]?.stageName ?? ''}/`;
  if (api.kind === 'websocket') return `/${api.stages[0]?.stageName ?? ''}`;
  return '/';
}

/**
 * Gives the functions of a served WebSocket API `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`, the
 * local `@connections` endpoint of its first stage, so an `ApiGatewayManagementApiClient`
 * made without an endpoint reaches it (a wildcard address is reached on loopback).
 */
function giveManagementEndpoint(local: LocalLambda, api: WebSocketApiSpec, host: string, port: number): void {
  const stage = api.stages[0]?.stageName;
  if (stage === undefined) return;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const functions = api.routes.flatMap((route) => (route.integration.kind === 'lambda-proxy' ? [route.integration.function] : []));
  local.useFunctionVariable(functions, 'AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI', `http://${hostForUrl(reachable)}:${port}/${stage}`);
}

/** One line per thing of an API that is not emulated yet, so the user knows before a request finds it. */
export function describeGaps(api: ApiSpec, options: { readonly verifyJwt?: boolean } = {}): string[] {
  const gaps: string[] = [];
  if (api.kind === 'url') {
    gaps.push(...describeAuthorization(api, { verifyJwt: options.verifyJwt !== false }));
    const corsGap = api.cors === undefined ? undefined : describeCorsGap(api.cors, `function URL ${api.constructPath}`);
    if (corsGap !== undefined) gaps.push(corsGap);
    return gaps;
  }
  if (api.kind === 'http' && api.cors !== undefined) {
    const corsGap = describeCorsGap(api.cors, `HTTP API ${api.constructPath}`);
    if (corsGap !== undefined) gaps.push(corsGap);
  }
  if (api.stages.length === 0) gaps.push(`${KINDS[api.kind]} ${api.constructPath} has no stage, so it is not served; deploy it to a stage in the app.`);
  const routes = api.kind === 'rest' ? api.routes.map((route) => ({ key: `${route.httpMethod} ${route.resourcePath}`, ...route })) : api.routes.map((route) => ({ key: route.routeKey, ...route }));
  for (const route of routes) {
    const answer = api.kind === 'websocket' ? (route.key === '$connect' ? 'connections are refused with 501' : 'its messages get an error frame') : 'it answers 501';
    if (route.integration.kind === 'unsupported') gaps.push(`${api.constructPath}: ${route.key} uses ${route.integration.description}, which cdk-local does not emulate yet; ${answer}.`);
    // The service authorizes a WebSocket connection once, at `$connect`.
    if (api.kind === 'websocket' && route.key !== '$connect' && route.authorizationType !== 'NONE') gaps.push(`${api.constructPath}: ${route.key} has authorization ${route.authorizationType}, which API Gateway applies only to $connect; cdk-local ignores it.`);
  }
  gaps.push(...describeAuthorization(api, { verifyJwt: options.verifyJwt !== false }));
  if (api.kind === 'rest') gaps.push(...describeApiKeys(api));
  return gaps;
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Port ${port} on ${host} is in use; choose another first port with --port (each API takes the next one).`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Cannot listen on ${host}, which is not an address of this machine; choose another with --host.`);
    if (code === 'EACCES') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Not allowed to listen on port ${port} of ${host}; choose a port above 1023 with --port.`);
    throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not listen on ${host}:${port}.`, { cause });
  }
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  await closed;
}

/**
 * Serves the app's REST, HTTP and WebSocket APIs and function URLs, each on its own port, as
 * API Gateway and the function URL front end would: what `cdk-local start-api` runs.
 */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const firstPort = options.port ?? 0;
  const apis = options.apis ?? options.local.apis;
  // Once each: an API key given to two APIs is told about once.
  for (const gap of new Set(apis.flatMap((api) => describeGaps(api, { verifyJwt: options.verifyJwt !== false })))) options.onNotice?.(gap);
  // One cache of authorizer results and issuers' keys for every endpoint, as API Gateway keeps them per authorizer.
  const authorizers = new Authorizers({
    local: options.local,
    verifyJwt: options.verifyJwt !== false,
    ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
  });
  const served = apis.filter((api) => api.kind === 'url' || api.stages.length > 0);
  const servers: Server[] = [];
  const webSockets: WebSocketEndpoint[] = [];
  const endpoints: ApiEndpoint[] = [];
  const close = async (): Promise<void> => {
    // Upgraded connections keep a server open: they close first, each with its $disconnect.
    await Promise.allSettled(webSockets.map((endpoint) => endpoint.close()));
    const results = await Promise.allSettled(servers.map((server) => closeServer(server)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  try {
    for (const [index, api] of served.entries()) {
      let port = 0;
      // The app's version of this endpoint now: a followed app replaces its APIs (LocalLambda.adopt).
      const current = (): ApiSpec => options.local.apis.find((candidate) => candidate.constructPath === api.constructPath && candidate.kind === api.kind) ?? api;
      const context = {
        local: options.local,
        authorizers,
        port: () => port,
        ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
        ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      };
      let server: Server;
      if (api.kind === 'websocket') {
        const webSocket = new WebSocketEndpoint(() => current() as typeof api, { ...context, ...options.webSocket });
        webSockets.push(webSocket);
        server = createServer({ maxHeaderSize: 64 * 1024 }, webSocket.handleRequest);
        server.on('upgrade', webSocket.handleUpgrade);
      } else {
        server = createServer({ maxHeaderSize: 64 * 1024 }, createRequestHandler(current, context));
      }
      servers.push(server);
      port = await listen(server, host, firstPort === 0 ? 0 : firstPort + index);
      if (api.kind === 'websocket') giveManagementEndpoint(options.local, api, host, port);
      const scheme = api.kind === 'websocket' ? 'ws' : 'http';
      endpoints.push({ kind: KINDS[api.kind], path: api.constructPath, url: `${scheme}://${hostForUrl(host)}:${port}${basePath(api)}`, port, api });
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  const closeOnce = (): Promise<void> => {
    options.signal?.removeEventListener('abort', onAbort);
    closing ??= close();
    return closing;
  };
  const onAbort = (): void => void closeOnce().catch(() => undefined);
  if (options.signal?.aborted === true) await closeOnce();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const disconnect = async (): Promise<void> => void (await Promise.allSettled(webSockets.map((endpoint) => endpoint.close())));
  return { endpoints, close: closeOnce, disconnect, [Symbol.asyncDispose]: closeOnce };
}
