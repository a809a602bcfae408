import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { ApiSpec } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { LocalLambda } from '../../host/index.js';
import { describeApiKeys } from './api-keys.js';
import { createRequestHandler, type ApiRequestSummary } from './serve-endpoint.js';

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
}

/** What an endpoint is, in the words of the ready lines. */
export type EndpointKind = 'REST API' | 'HTTP API' | 'function URL';

/** One served API or function URL. */
export interface ApiEndpoint {
  readonly kind: EndpointKind;
  /** The construct path of the API, or of the function URL. */
  readonly path: string;
  /** Where to send requests: a REST API's URL carries its first stage, a named HTTP API stage too. */
  readonly url: string;
  readonly port: number;
  readonly api: ApiSpec;
}

/** The listening APIs and function URLs. */
export interface ApiServer extends AsyncDisposable {
  readonly endpoints: readonly ApiEndpoint[];
  /** Stops listening and waits for the answers under way (closing the LocalLambda ends them at once). Idempotent. */
  close(): Promise<void>;
}

const KINDS: Record<Exclude<ApiSpec['kind'], 'websocket'>, EndpointKind> = { rest: 'REST API', http: 'HTTP API', url: 'function URL' };

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The path the endpoint's URL ends with: a REST API's first stage, a named HTTP API stage. */
function basePath(api: ApiSpec): string {
  if (api.kind === 'rest') return `/${api.stages[0]?.stageName ?? ''}/`;
  if (api.kind === 'http' && !api.stages.some((stage) => stage.stageName === '$default')) return `/${api.stages[0]?.stageName ?? ''}/`;
  return '/';
}

/** One line per thing of an API that is not emulated yet, so the user knows before a request finds it. */
export function describeGaps(api: ApiSpec): string[] {
  const gaps: string[] = [];
  if (api.kind === 'websocket') {
    gaps.push(`WebSocket API ${api.constructPath} is not served yet (${api.routes.length} route${api.routes.length === 1 ? '' : 's'}).`);
    return gaps;
  }
  if (api.kind === 'url') {
    if (api.authType === 'AWS_IAM') gaps.push(`function URL ${api.constructPath} has AuthType AWS_IAM; cdk-local does not check signatures yet and lets every request in.`);
    if (api.cors !== undefined) gaps.push(`function URL ${api.constructPath} has a CORS configuration, which cdk-local does not apply yet.`);
    return gaps;
  }
  if (api.stages.length === 0) gaps.push(`${KINDS[api.kind]} ${api.constructPath} has no stage, so it is not served; deploy it to a stage in the app.`);
  const routes = api.kind === 'rest' ? api.routes.map((route) => ({ key: `${route.httpMethod} ${route.resourcePath}`, ...route })) : api.routes.map((route) => ({ key: route.routeKey, ...route }));
  for (const route of routes) {
    if (route.integration.kind === 'unsupported') gaps.push(`${api.constructPath}: ${route.key} uses ${route.integration.description}, which cdk-local does not emulate yet; it answers 501.`);
    if (route.authorizationType !== 'NONE') gaps.push(`${api.constructPath}: ${route.key} has authorization ${route.authorizationType}, which cdk-local does not enforce yet; requests go through.`);
  }
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
 * Serves the app's REST and HTTP APIs and function URLs, each on its own port, as API
 * Gateway and the function URL front end would: what `cdk-local start-api` runs. WebSocket
 * APIs are told about (`onNotice`) but not served yet.
 */
export async function startApi(options: StartApiOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const firstPort = options.port ?? 0;
  const apis = options.apis ?? options.local.apis;
  // Once each: an API key given to two APIs is told about once.
  for (const gap of new Set(apis.flatMap((api) => describeGaps(api)))) options.onNotice?.(gap);
  const served = apis.filter((api): api is Exclude<ApiSpec, { kind: 'websocket' }> => api.kind !== 'websocket' && (api.kind === 'url' || api.stages.length > 0));
  const servers: Server[] = [];
  const endpoints: ApiEndpoint[] = [];
  const close = async (): Promise<void> => {
    const results = await Promise.allSettled(servers.map((server) => closeServer(server)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  try {
    for (const [index, api] of served.entries()) {
      let port = 0;
      // The app's version of this endpoint now: a followed app replaces its APIs (LocalLambda.adopt).
      const current = (): ApiSpec => options.local.apis.find((candidate) => candidate.constructPath === api.constructPath && candidate.kind === api.kind) ?? api;
      const handler = createRequestHandler(current, {
        local: options.local,
        port: () => port,
        ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
        ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
      });
      const server = createServer({ maxHeaderSize: 64 * 1024 }, handler);
      servers.push(server);
      port = await listen(server, host, firstPort === 0 ? 0 : firstPort + index);
      endpoints.push({ kind: KINDS[api.kind], path: api.constructPath, url: `http://${hostForUrl(host)}:${port}${basePath(api)}`, port, api });
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
  return { endpoints, close: closeOnce, [Symbol.asyncDispose]: closeOnce };
}
