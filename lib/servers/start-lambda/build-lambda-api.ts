import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, type FunctionSpec } from '../../assembly/index.js';
import { DurableApiError, DurableService, type DurableExecution, type Operation } from '../../durable/index.js';
import type { LocalLambda } from '../../host/index.js';
import { closeAfterAnswer } from '../../runtime-api/index.js';
import { AsyncInvoker, type AsyncDropReason, type AsyncRetryOptions } from './async-invoker.js';
import { registerFunctionRoutes } from './function-routes.js';
import { fromDurableError, registerDurableRoutes } from './durable-routes.js';
import { attemptAsyncInvocation, registerInvokeRoutes } from './invoke-routes.js';
import type { InvocationListener } from './invocation-summary.js';
import type { AsyncJob, LambdaApiContext } from './lambda-api-context.js';
import { LambdaHeaders } from './lambda-headers.js';
import { DEFAULT_REQUEST_BODY_TIMEOUT_MS } from './read-request-body.js';
import { invalidRequestContent, requestTooLarge, ServiceError, toServiceError, validationError } from './service-error.js';

/** Lambda's limit on an asynchronous invocation's payload since October 2025 (256 KB before). */
export const DEFAULT_MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;
/** A body larger than this is not even read. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Options of {@link buildLambdaApi}. */
export interface LambdaApiOptions {
  /** The functions, ready to invoke. The API never closes it. */
  readonly local: LocalLambda;
  /** The functions to serve. @default every function of `local` */
  readonly functions?: readonly FunctionSpec[];
  /** Retries of `Event` invocations; shorten them in tests. */
  readonly asyncRetry?: AsyncRetryOptions;
  /** @default DEFAULT_MAX_ASYNC_PAYLOAD_BYTES */
  readonly maxAsyncPayloadBytes?: number;
  /**
   * How long a request body may take to arrive before it is refused with 408 and its
   * connection closed. @default DEFAULT_REQUEST_BODY_TIMEOUT_MS
   */
  readonly requestBodyTimeoutMs?: number;
  /** Told when each invocation (or attempt of an `Event` one) ends. */
  readonly onInvocation?: InvocationListener;
  /** Told when an `Event` invocation is given up. */
  readonly onNotice?: (message: string) => void;
  /** The region of ARNs in errors for names that match nothing. @default the first function's, else us-east-1 */
  readonly region?: string;
  /**
   * The durable execution service for durable functions. @default a new one, closed with the
   * server, with {@link durableTimeScale}
   */
  readonly durable?: DurableService;
  /** Multiplies durable functions' waits and retry delays (0: they end at once). @default 1 */
  readonly durableTimeScale?: number;
  /** Told when an operation of a durable execution starts or changes (a callback to answer, say). */
  readonly onDurableOperation?: (execution: DurableExecution, operation: Operation) => void;
  /** Told when a durable execution ends. */
  readonly onDurableExecutionEnd?: (execution: DurableExecution) => void;
}

/** The Lambda Invoke API as a Fastify app, and what must be closed with it. */
export interface LambdaApi {
  readonly app: FastifyInstance;
  /** Stops retrying `Event` invocations and waits for the attempts under way. */
  readonly closeAsyncInvocations: () => Promise<void>;
  /** From now on every answer closes its connection, so keep-alive callers do not hold the server open. */
  readonly markClosing: () => void;
  /** The durable execution service the API serves. */
  readonly durable: DurableService;
  /** Closes the durable execution service when the API made it. */
  readonly closeDurable: () => Promise<void>;
}

/**
 * A request Fastify itself refused (a URL that is not valid percent-encoding, a name past the
 * router's limit, a body it cannot take) as the service would answer it.
 */
function frameworkError(error: FastifyError): ServiceError {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return validationError(`The request path is not valid percent-encoded UTF-8: ${error.message}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return validationError("1 validation error detected: Value at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140");
    default:
      // Every other refusal of a request by Fastify is about its content (FST_ERR_CTP_*).
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return invalidRequestContent(error.message);
      return toServiceError(error);
  }
}

/** A request Node cannot parse as HTTP, answered in the service's shape before the connection closes. */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const serviceError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ServiceError(413, 'RequestTooLargeException', 'The request headers are larger than 16 KB.')
      : invalidRequestContent(`The request is not valid HTTP/1.1 (${error.code ?? error.message}).`);
  const body = JSON.stringify(serviceError.toJSON());
  const head = [
    `HTTP/1.1 ${serviceError.statusCode} ${STATUS_CODES[serviceError.statusCode] ?? ''}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `${LambdaHeaders.requestId}: ${randomUUID()}`,
    `${LambdaHeaders.errorType}: ${serviceError.errorType}`,
    'Connection: close',
  ];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  else socket.destroy();
}

function sendServiceError(reply: import('fastify').FastifyReply, error: ServiceError): void {
  if (!reply.hasHeader(LambdaHeaders.requestId)) reply.header(LambdaHeaders.requestId, randomUUID());
  void reply.code(error.statusCode).header(LambdaHeaders.errorType, error.errorType).type('application/json').send(JSON.stringify(error.toJSON()));
}

/**
 * Builds the Lambda Invoke API (Invoke, InvokeWithResponseStream, GetFunction,
 * GetFunctionConfiguration, ListFunctions) without listening. Authorization headers are
 * accepted and not checked.
 */
export async function buildLambdaApi(options: LambdaApiOptions): Promise<LambdaApi> {
  const functions = options.functions ?? options.local.functions;
  const first = functions[0];
  const onInvocation = options.onInvocation ?? (() => undefined);
  const describeDrop = (job: AsyncJob, reason: AsyncDropReason): string =>
    `${job.spec.constructPath}: event ${job.requestId} dropped ${reason === 'retries-exhausted' ? 'after its retries failed' : 'at its maximum age'}, as Lambda would with no on-failure destination.`;
  const asyncInvoker = new AsyncInvoker<AsyncJob>({
    ...options.asyncRetry,
    attempt: (job, attempt) => attemptAsyncInvocation(context, job, attempt),
    onDropped: (job, reason) => options.onNotice?.(describeDrop(job, reason)),
  });
  const durable =
    options.durable ??
    new DurableService({
      local: options.local,
      ...(options.durableTimeScale === undefined ? {} : { timeScale: options.durableTimeScale }),
      ...(options.onDurableOperation === undefined ? {} : { onOperation: options.onDurableOperation }),
      ...(options.onDurableExecutionEnd === undefined ? {} : { onExecutionEnd: options.onDurableExecutionEnd }),
      ...(options.onNotice === undefined ? {} : { onNotice: options.onNotice }),
    });
  const context: LambdaApiContext = {
    local: options.local,
    functions,
    arnDefaults: { region: options.region ?? first?.region ?? DEFAULT_REGION, accountId: first?.accountId ?? DEFAULT_ACCOUNT },
    lastModified: new Date(),
    maxAsyncPayloadBytes: options.maxAsyncPayloadBytes ?? DEFAULT_MAX_ASYNC_PAYLOAD_BYTES,
    requestBodyTimeoutMs: options.requestBodyTimeoutMs ?? DEFAULT_REQUEST_BODY_TIMEOUT_MS,
    asyncInvoker,
    onInvocation,
    durable,
  };

  const app = Fastify({
    logger: false,
    // A synchronous invocation lasts as long as the function's timeout, up to 15 minutes.
    requestTimeout: 0,
    connectionTimeout: 0,
    bodyLimit: MAX_BODY_BYTES,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 2048 },
    // What Fastify refuses before routing is answered in the service's shape too.
    frameworkErrors: (error, _request, reply) => sendServiceError(reply, frameworkError(error)),
    clientErrorHandler: answerMalformedRequest,
  });
  // Every body is read by the routes as it came: any Content-Type, or none (the AWS CLI).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] === undefined || request.headers['content-type'] === '') {
      request.headers['content-type'] = 'application/octet-stream';
    }
  });
  app.setNotFoundHandler((request, reply) => {
    sendServiceError(
      reply,
      new ServiceError(
        404,
        'UnknownOperationException',
        `cdk-local start-lambda does not serve ${request.method} ${request.url.split('?')[0]}; it serves Invoke, InvokeWithResponseStream, GetFunction, GetFunctionConfiguration, ListFunctions and the durable execution operations.`,
      ),
    );
  });
  app.setErrorHandler((error: FastifyError | ServiceError | DurableApiError, _request, reply) => {
    if (error instanceof ServiceError) return sendServiceError(reply, error);
    if (error instanceof DurableApiError) return sendServiceError(reply, fromDurableError(error));
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendServiceError(reply, requestTooLarge(MAX_BODY_BYTES, 'Invoke'));
    sendServiceError(reply, frameworkError(error));
  });
  // Once the server is closing, each answer closes its connection: keep-alive callers (the
  // SDKs) would otherwise hold the server open until their idle timeout.
  let closing = false;
  app.addHook('onSend', async (request, reply) => {
    if (closing) void reply.header('connection', 'close');
    // Answered without its body being read (refused before, or no such operation): that
    // body is not read on, and its connection is closed.
    if (request.raw.complete === false && request.raw.listenerCount('data') === 0) closeAfterAnswer(request.raw, reply.raw);
  });
  await app.register(async (scope) => registerInvokeRoutes(scope, context));
  await app.register(async (scope) => registerFunctionRoutes(scope, context));
  await app.register(async (scope) => registerDurableRoutes(scope, context));
  return {
    app,
    closeAsyncInvocations: () => asyncInvoker.close(),
    markClosing: () => {
      closing = true;
    },
    durable,
    closeDurable: () => (options.durable === undefined ? durable.close() : Promise.resolve()),
  };
}
