import Fastify, { type FastifyInstance } from 'fastify';
import type { Server } from 'node:net';
import { registerRuntimeRoutes, type StreamLimits } from './runtime-routes.js';
import { apiError } from './error-body.js';
import type { InvocationChannel } from './runtime-channel.js';

/** Options of {@link startRuntimeApiServer}. */
export interface RuntimeApiServerOptions {
  readonly channel: InvocationChannel;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Limits of streamed responses (tests make them small). @default DEFAULT_STREAM_LIMITS */
  readonly streamLimits?: StreamLimits;
  /**
   * A socket that already listens (on an environment's own loopback, in its network
   * namespace) to accept on instead of `host:port`, with the address the runtime sees.
   */
  readonly listener?: { readonly server: Server; readonly address: string };
  /** Registers more routes (Extensions, Telemetry APIs) on the same listener. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

/** A listening Runtime API. */
export interface RuntimeApiServer extends AsyncDisposable {
  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API` (no scheme). */
  readonly address: string;
  readonly port: number;
  /** Closes the listener and every connection; idempotent. */
  close(): Promise<void>;
}

/** Builds the Fastify app of one execution environment's API, without listening. */
export async function buildRuntimeApi(options: RuntimeApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // /next may block for hours and a streamed response may last 15 minutes.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 3_600_000,
    forceCloseConnections: true,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    return503OnClosing: false,
    // No HEAD for every GET: a HEAD /invocation/next would run /next's handler and be handed
    // an event in a response without a body, which the runtime then never sees.
    exposeHeadRoutes: false,
  });
  app.decorateRequest('runtimeContentType', undefined);
  // Every body is read as a stream by the routes, whatever its type (or none at all: Rust
  // and Python send some posts without a Content-Type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.addHook('onRequest', async (request) => {
    const contentType = request.headers['content-type'];
    (request as typeof request & { runtimeContentType?: string }).runtimeContentType = contentType === '' ? undefined : contentType;
    if (contentType === undefined || contentType === '') request.headers['content-type'] = 'application/octet-stream';
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(apiError('NotFound', `No route ${request.method} ${request.url}`));
  });
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    void reply.code(status).send(apiError(status === 500 ? 'ServiceException' : 'InvalidRequest', String(error.message)));
  });
  await app.register(async (scope) =>
    registerRuntimeRoutes(scope, { channel: options.channel, ...(options.streamLimits === undefined ? {} : { streamLimits: options.streamLimits }) }),
  );
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

/** Starts one execution environment's API on loopback. */
export async function startRuntimeApiServer(options: RuntimeApiServerOptions): Promise<RuntimeApiServer> {
  const app = await buildRuntimeApi(options);
  if (options.listener !== undefined) return acceptOn(app, options.listener);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const addressInfo = app.server.address();
  const port = typeof addressInfo === 'object' && addressInfo !== null ? addressInfo.port : 0;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= app.close());
  return {
    address: `${host}:${port}`,
    port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Serves `app` on a socket that already listens; Fastify's own listen takes only a port or a path. */
async function acceptOn(app: FastifyInstance, listener: { readonly server: Server; readonly address: string }): Promise<RuntimeApiServer> {
  await app.ready();
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(listener.server, () => {
      app.server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  // Fastify ends open connections only on a listener it made itself.
  const close = (): Promise<void> => (closing ??= (app.server.closeAllConnections(), app.close()));
  const port = Number(listener.address.split(':').at(-1));
  return { address: listener.address, port, close, [Symbol.asyncDispose]: close };
}
