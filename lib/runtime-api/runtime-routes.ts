import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError, normaliseErrorBody } from './error-body.js';
import { jsonHeaderValue, RuntimeHeaders, lowerCase } from './headers.js';
import type { Invocation, InvocationResponse, PostedError, StreamCompletion } from './invocation.js';
import { readBody } from './read-body.js';
import type { InvocationChannel, Refusal } from './runtime-channel.js';

/** The largest buffered response the service accepts from a runtime. */
export const MAX_RESPONSE_BYTES = 6_291_556;

const PREFIX = '/2018-06-01/runtime';
const DEFAULT_RESPONSE_CONTENT_TYPE = 'application/json';
const STREAMING_MODE = 'streaming';

/** Options of {@link registerRuntimeRoutes}. */
export interface RuntimeRoutesOptions {
  readonly channel: InvocationChannel;
  /** @default MAX_RESPONSE_BYTES */
  readonly maxResponseBytes?: number;
  /** @default DEFAULT_STREAM_LIMITS */
  readonly streamLimits?: StreamLimits;
}

interface RequestIdParams {
  readonly requestId: string;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[lowerCase(name)];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function trailer(request: FastifyRequest, name: string): string | undefined {
  // Injected requests (tests) carry no trailers object.
  const value = (request.raw.trailers as Record<string, string> | undefined)?.[lowerCase(name)];
  return value === undefined || value === '' ? undefined : value;
}

/** The Content-Type the runtime sent; undefined when it sent none. */
function sentContentType(request: FastifyRequest): string | undefined {
  return (request as FastifyRequest & { runtimeContentType?: string }).runtimeContentType;
}

function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  if (refusal === 'invalid-request-id') return reply.code(400).send(apiError('InvalidRequestID', 'Invalid request ID'));
  // Lambda Managed Instances: the answer to an invocation that already timed out (docs/conformance.md Y).
  if (refusal === 'invoke-timeout') return reply.code(410).send(apiError('InvokeTimeout', 'Invoke timeout'));
  return reply.code(403).send(apiError('InvalidStateTransition', 'State transition is not allowed'));
}

function accepted(reply: FastifyReply): FastifyReply {
  return reply.code(202).send({ status: 'OK' });
}

function sendInvocation(reply: FastifyReply, invocation: Invocation): FastifyReply {
  reply.code(200).header('Content-Type', 'application/json');
  reply.header(RuntimeHeaders.requestId, invocation.requestId);
  reply.header(RuntimeHeaders.deadlineMs, String(invocation.deadlineMs));
  reply.header(RuntimeHeaders.invokedFunctionArn, invocation.invokedFunctionArn);
  const optional: [string, string | undefined][] = [
    [RuntimeHeaders.traceId, invocation.traceId],
    [RuntimeHeaders.clientContext, invocation.clientContext === undefined ? undefined : jsonHeaderValue(invocation.clientContext)],
    [RuntimeHeaders.cognitoIdentity, invocation.cognitoIdentity === undefined ? undefined : jsonHeaderValue(invocation.cognitoIdentity)],
    [RuntimeHeaders.tenantId, invocation.tenantId],
  ];
  for (const [name, value] of optional) {
    if (value !== undefined && value !== '') reply.header(name, value);
  }
  return reply.send(invocation.payload);
}

/** An error carried in the Go client's trailers on a buffered response. */
function trailerError(request: FastifyRequest): PostedError | undefined {
  const errorType = trailer(request, RuntimeHeaders.functionErrorType);
  if (errorType === undefined) return undefined;
  const encoded = trailer(request, RuntimeHeaders.functionErrorBody);
  return { errorType, body: Buffer.from(encoded ?? '', 'base64'), contentType: 'application/json' };
}

/** Waits until `stream` wants more, or was destroyed by a reader that gave up. */
function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Limits of a streamed response: https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html */
export interface StreamLimits {
  /** @default 200 MiB */
  readonly maxBytes: number;
  /** Bytes sent at full speed before the bandwidth cap applies. @default 6 MiB */
  readonly uncappedBytes: number;
  /** @default 2 MiB per second */
  readonly bytesPerSecond: number;
}

/** The service's limits on streamed responses. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxBytes: 200 * 1024 * 1024,
  uncappedBytes: 6 * 1024 * 1024,
  bytesPerSecond: 2 * 1024 * 1024,
};

function streamResponse(request: FastifyRequest, deliver: (response: InvocationResponse) => void, limits: StreamLimits): Promise<StreamCompletion> {
  const body = new PassThrough();
  let producedBytes = 0;
  let cappedSince: number | undefined;
  const completion = (async (): Promise<StreamCompletion> => {
    try {
      for await (const chunk of request.body as AsyncIterable<Buffer>) {
        producedBytes += chunk.length;
        if (body.destroyed) continue;
        if (producedBytes > limits.maxBytes) {
          // Past the limit the caller's stream ends with an error; the rest is read and dropped.
          body.end();
          continue;
        }
        if (producedBytes > limits.uncappedBytes) {
          cappedSince ??= performance.now();
          const dueMs = ((producedBytes - limits.uncappedBytes) / limits.bytesPerSecond) * 1000;
          const aheadMs = dueMs - (performance.now() - cappedSince);
          if (aheadMs > 1) await sleep(aheadMs);
        }
        if (!body.write(chunk)) await drained(body);
      }
    } catch {
      body.end();
      return { truncated: true, producedBytes };
    }
    body.end();
    if (request.raw.complete === false && request.raw.readableAborted) return { truncated: true, producedBytes };
    if (producedBytes > limits.maxBytes) {
      const errorType = 'Function.ResponseSizeTooLarge';
      const message = `Response payload size exceeded maximum allowed payload size (${limits.maxBytes} bytes).`;
      return { error: { errorType, body: Buffer.from(JSON.stringify(apiError(errorType, message))), contentType: 'application/json' }, truncated: false, producedBytes };
    }
    const error = trailerError(request);
    return error === undefined ? { truncated: false, producedBytes } : { error, truncated: false, producedBytes };
  })();
  deliver({ kind: 'streaming', contentType: sentContentType(request) ?? 'application/octet-stream', body, completion });
  return completion;
}

/**
 * The Runtime API routes (`/2018-06-01/runtime/...`), translating HTTP to and from a
 * {@link RuntimeChannel}. See https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
export async function registerRuntimeRoutes(app: FastifyInstance, options: RuntimeRoutesOptions): Promise<void> {
  const { channel } = options;
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;

  /**
   * Reads the body of a `/response` or `/error` post. A body cut short or over the limit is
   * answered here (400 or 413) and delivered to the caller as such; then it returns undefined.
   */
  async function readPostedBody(request: FastifyRequest, reply: FastifyReply, deliver: (response: InvocationResponse) => void): Promise<Buffer | undefined> {
    const read = await readBody(request.raw, reply.raw, maxResponseBytes);
    if (read.truncated) {
      deliver({ kind: 'truncated' });
      void reply.code(400).send(apiError('TruncatedHTTPRequest', 'The body was cut short'));
      return undefined;
    }
    if (read.body === undefined) {
      deliver({ kind: 'too-large', sizeBytes: read.sizeBytes });
      void reply.code(413).send(apiError('RequestEntityTooLarge', `Exceeded maximum allowed payload size (${maxResponseBytes} bytes).`));
      return undefined;
    }
    return read.body;
  }

  app.get(`${PREFIX}/invocation/next`, async (request, reply) => {
    const result = await channel.next((cancel) => {
      // The runtime gave up waiting (it died or was killed): forget this waiter.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) cancel();
      });
    });
    if (typeof result === 'string') return refuse(reply, result);
    return sendInvocation(reply, result);
  });

  app.post<{ Params: RequestIdParams }>(`${PREFIX}/invocation/:requestId/response`, async (request, reply) => {
    const mode = header(request, RuntimeHeaders.responseMode);
    if (mode !== undefined && mode.toLowerCase() !== STREAMING_MODE) {
      return reply.code(400).send(apiError('InvalidFunctionResponseMode', `Invalid response mode: ${mode}`));
    }
    const deliver = channel.beginResponse(request.params.requestId);
    if (typeof deliver === 'string') return refuse(reply, deliver);

    if (mode !== undefined) {
      const completion = await streamResponse(request, deliver, options.streamLimits ?? DEFAULT_STREAM_LIMITS);
      if (completion.truncated) return reply.code(400).send(apiError('TruncatedHTTPRequest', 'The response body was cut short'));
      return accepted(reply);
    }

    const body = await readPostedBody(request, reply, deliver);
    if (body === undefined) return reply;
    const error = trailerError(request);
    deliver(
      error === undefined
        ? { kind: 'buffered', body, contentType: sentContentType(request) ?? DEFAULT_RESPONSE_CONTENT_TYPE }
        : { kind: 'error', ...error },
    );
    return accepted(reply);
  });

  app.post<{ Params: RequestIdParams }>(`${PREFIX}/invocation/:requestId/error`, async (request, reply) => {
    const deliver = channel.beginResponse(request.params.requestId);
    if (typeof deliver === 'string') return refuse(reply, deliver);
    const posted = await readPostedBody(request, reply, deliver);
    if (posted === undefined) return reply;
    const errorType = header(request, RuntimeHeaders.functionErrorType) ?? trailer(request, RuntimeHeaders.functionErrorType);
    const { body, contentType } = normaliseErrorBody(posted, sentContentType(request) ?? 'application/json');
    deliver(errorType === undefined ? { kind: 'error', body, contentType } : { kind: 'error', errorType, body, contentType });
    return accepted(reply);
  });

  app.post(`${PREFIX}/init/error`, async (request, reply) => {
    const read = await readBody(request.raw, reply.raw, maxResponseBytes);
    const errorType = header(request, RuntimeHeaders.functionErrorType);
    const body = read.body ?? Buffer.alloc(0);
    const contentType = sentContentType(request) ?? 'application/json';
    const refusal = channel.failInit(errorType === undefined ? { kind: 'error', body, contentType } : { kind: 'error', errorType, body, contentType });
    if (refusal !== undefined) return refuse(reply, refusal);
    return accepted(reply);
  });
}
