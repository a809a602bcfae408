import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FunctionSpec } from '../../assembly/index.js';
import type { CallerResponse, InvocationHandle } from '../../environment/index.js';
import { MAX_SYNC_PAYLOAD_BYTES, type StartedInvocation } from '../../host/index.js';
import type { AsyncAttemptOutcome } from './async-invoker.js';
import { describeErrorBody, readStream, responseTooLarge, streamError, type CallerError } from './caller-outcome.js';
import { invokeCompleteEvent, payloadChunkEvent } from './event-stream.js';
import { findServedFunction, type ServedFunction } from './find-served-function.js';
import type { AsyncJob, LambdaApiContext } from './lambda-api-context.js';
import { LambdaHeaders, type InvocationType } from './lambda-headers.js';
import { tailLogResult } from './log-tail.js';
import { checkJsonPayload, checkTenantId, decodeClientContext, readInvocationType, readLogType } from './read-invoke-request.js';
import { readRequestBody } from './read-request-body.js';
import { invalidParameterValue, isThrottled, toServiceError } from './service-error.js';
import { invokeDurable } from './invoke-durable.js';

export type InvokeRequest = FastifyRequest<{ Params: { FunctionName: string }; Querystring: { Qualifier?: string } }>;

/** A PayloadChunk carries at most this much, so one big buffered answer becomes several events. */
const MAX_CHUNK_BYTES = 256 * 1024;

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** An Invoke request, read and checked. */
export interface ParsedInvoke {
  readonly served: ServedFunction;
  readonly invocationType: InvocationType;
  readonly tail: boolean;
  readonly payload: Buffer;
  readonly clientContext?: string;
  readonly tenantId?: string;
}

async function parseInvoke(request: InvokeRequest, reply: FastifyReply, context: LambdaApiContext, allowed: readonly InvocationType[]): Promise<ParsedInvoke> {
  const invocationType = readInvocationType(header(request, LambdaHeaders.invocationType), allowed);
  const raw = await readRequestBody(request.raw, reply.raw, {
    limitBytes: invocationType === 'Event' ? context.maxAsyncPayloadBytes : MAX_SYNC_PAYLOAD_BYTES,
    operation: invocationType === 'Event' ? 'Invoke (Event)' : 'Invoke',
    timeoutMs: context.requestBodyTimeoutMs,
  });
  const served = findServedFunction(context.functions, request.params.FunctionName, request.query.Qualifier, context.arnDefaults);
  const tail = readLogType(header(request, LambdaHeaders.logType));
  const clientContext = decodeClientContext(header(request, LambdaHeaders.clientContext));
  const payload = checkJsonPayload(raw);
  const tenantId = checkTenantId(served.spec, header(request, LambdaHeaders.tenantId));
  return {
    served,
    invocationType,
    tail,
    payload,
    ...(clientContext === undefined ? {} : { clientContext }),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
}

/** Starts an invocation; a throttle or a refusal is told to the listener and thrown as the service's error. */
async function startInvocation(
  context: LambdaApiContext,
  parsed: { served: ServedFunction; payload: Buffer; clientContext?: string; tenantId?: string },
  requestId: string,
  operation: 'Invoke' | 'InvokeWithResponseStream',
): Promise<StartedInvocation> {
  const { spec } = parsed.served;
  try {
    return await context.local.start(spec, {
      payload: parsed.payload,
      requestId,
      invokedFunctionArn: parsed.served.invokedFunctionArn,
      ...(parsed.served.qualifier === undefined ? {} : { qualifier: parsed.served.qualifier }),
      ...(parsed.clientContext === undefined ? {} : { clientContext: parsed.clientContext }),
      ...(parsed.tenantId === undefined ? {} : { tenantId: parsed.tenantId }),
    });
  } catch (error) {
    const serviceError = toServiceError(error, spec.reservedConcurrency !== undefined);
    context.onInvocation({
      spec,
      requestId,
      operation,
      invocationType: 'RequestResponse',
      attempt: 1,
      status: isThrottled(error) ? 'throttled' : 'rejected',
      errorType: serviceError.errorType,
    });
    throw serviceError;
  }
}

/** The answer of a buffered Invoke: the payload, or the error document. */
interface BufferedAnswer {
  readonly body: Buffer;
  readonly contentType: string;
  readonly error?: CallerError;
}

async function bufferAnswer(handle: InvocationHandle, response: CallerResponse, spec: FunctionSpec): Promise<BufferedAnswer> {
  switch (response.kind) {
    case 'payload':
      return { body: response.body, contentType: response.contentType };
    case 'function-error':
      return { body: response.body, contentType: response.contentType, error: describeErrorBody(response.body, response.errorType) };
    case 'stream': {
      // A streamed response to a buffered caller is buffered and held to 6 MB.
      const read = await readStream(response.body);
      const { error } = await streamError(handle, response, spec.timeoutSeconds);
      const failure = error ?? (read.overflow ? responseTooLarge(read.sizeBytes) : undefined);
      if (failure !== undefined) return { body: failure.body, contentType: 'application/json', error: failure };
      return { body: read.body, contentType: response.contentType };
    }
  }
}

/** Tells the listener how an invocation ended, once its report is in. */
function summarise(context: LambdaApiContext, spec: FunctionSpec, handle: StartedInvocation, operation: 'Invoke' | 'InvokeWithResponseStream', invocationType: InvocationType, attempt: number, tenantId: string | undefined, error?: () => CallerError | undefined): void {
  handle.report.then(
    (report) => {
      const errorType = report.errorType ?? error?.()?.errorType;
      context.onInvocation({
        spec,
        requestId: handle.requestId,
        operation,
        invocationType,
        attempt,
        status: report.status === 'success' && errorType !== undefined ? 'error' : report.status,
        ...(errorType === undefined ? {} : { errorType }),
        report,
        executedVersion: handle.executedVersion,
        ...(tenantId === undefined ? {} : { tenantId }),
      });
    },
    () => undefined,
  );
}

function commonHeaders(reply: FastifyReply, requestId: string): FastifyReply {
  return reply.header(LambdaHeaders.requestId, requestId);
}

async function invoke(request: InvokeRequest, reply: FastifyReply, context: LambdaApiContext): Promise<FastifyReply> {
  const requestId = randomUUID();
  commonHeaders(reply, requestId);
  const parsed = await parseInvoke(request, reply, context, ['RequestResponse', 'Event', 'DryRun']);
  const { spec } = parsed.served;

  if (spec.durable !== undefined) return invokeDurable(request, reply, context, parsed);
  if (parsed.invocationType === 'DryRun') return reply.code(204).send();
  if (parsed.invocationType === 'Event') {
    context.asyncInvoker.enqueue({
      spec,
      requestId,
      payload: parsed.payload,
      invokedFunctionArn: parsed.served.invokedFunctionArn,
      ...(parsed.served.qualifier === undefined ? {} : { qualifier: parsed.served.qualifier }),
      ...(parsed.clientContext === undefined ? {} : { clientContext: parsed.clientContext }),
      ...(parsed.tenantId === undefined ? {} : { tenantId: parsed.tenantId }),
    });
    return reply.code(202).send();
  }

  const handle = await startInvocation(context, parsed, requestId, 'Invoke');
  const response = await handle.response;
  const answer = await bufferAnswer(handle, response, spec);
  summarise(context, spec, handle, 'Invoke', 'RequestResponse', 1, parsed.tenantId, () => answer.error);
  reply.code(200).header(LambdaHeaders.executedVersion, handle.executedVersion).type(answer.contentType);
  if (answer.error !== undefined) reply.header(LambdaHeaders.functionError, 'Unhandled');
  // Lambda answers when the function has responded; the log tail needs the report too.
  if (parsed.tail) reply.header(LambdaHeaders.logResult, tailLogResult((await handle.report).logs));
  return reply.send(answer.body);
}

async function invokeWithResponseStream(request: InvokeRequest, reply: FastifyReply, context: LambdaApiContext): Promise<FastifyReply> {
  const requestId = randomUUID();
  commonHeaders(reply, requestId);
  const parsed = await parseInvoke(request, reply, context, ['RequestResponse', 'DryRun']);
  const { spec } = parsed.served;
  if (spec.durable !== undefined) {
    throw invalidParameterValue(`${spec.functionName} is a durable function: invoke it with Invoke, not InvokeWithResponseStream.`);
  }
  if (parsed.invocationType === 'DryRun') return reply.code(204).send();

  const handle = await startInvocation(context, parsed, requestId, 'InvokeWithResponseStream');
  const response = await handle.response;
  const events = new PassThrough();
  const contentType = response.kind === 'function-error' ? 'application/json' : response.contentType;
  writeStreamEvents(events, handle, response, spec, parsed.tail).then(
    (error) => {
      events.end();
      summarise(context, spec, handle, 'InvokeWithResponseStream', 'RequestResponse', 1, parsed.tenantId, () => error);
    },
    (error: unknown) => events.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  // The API models ResponseStreamContentType as the Content-Type header: the function's own.
  return reply.code(200).header(LambdaHeaders.executedVersion, handle.executedVersion).type(contentType).send(events);
}

/** Writes the event stream of InvokeWithResponseStream: PayloadChunk events, then InvokeComplete. */
async function writeStreamEvents(
  out: PassThrough,
  handle: InvocationHandle,
  response: CallerResponse,
  spec: FunctionSpec,
  tail: boolean,
): Promise<CallerError | undefined> {
  const write = async (event: Buffer): Promise<void> => {
    // A caller that went away no longer reads; the function still runs to its end.
    if (out.destroyed || out.write(event)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
  };
  let error: CallerError | undefined;
  if (response.kind === 'payload') {
    for (let offset = 0; offset < response.body.length; offset += MAX_CHUNK_BYTES) {
      await write(payloadChunkEvent(response.body.subarray(offset, offset + MAX_CHUNK_BYTES)));
    }
  } else if (response.kind === 'function-error') {
    error = describeErrorBody(response.body, response.errorType);
  } else {
    await forwardChunks(response.body, (chunk) => write(payloadChunkEvent(chunk)));
    error = (await streamError(handle, response, spec.timeoutSeconds)).error;
  }
  const report = tail ? await handle.report : undefined;
  // The service documents InvokeComplete's ErrorCode and ErrorDetails only as strings; they
  // carry the function's error type and message here, as the runtime reported them.
  await write(
    invokeCompleteEvent({
      ...(error === undefined ? {} : { ErrorCode: error.errorType, ErrorDetails: error.errorMessage }),
      ...(report === undefined ? {} : { LogResult: tailLogResult(report.logs) }),
    }),
  );
  return error;
}

async function forwardChunks(stream: Readable, send: (chunk: Buffer) => Promise<void>): Promise<void> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length; offset += MAX_CHUNK_BYTES) await send(chunk.subarray(offset, offset + MAX_CHUNK_BYTES));
    }
  } catch {
    // Cut short by a timeout or a crash: the report says which.
  }
}

/** Runs one attempt of an `Event` invocation to its end. */
export async function attemptAsyncInvocation(context: LambdaApiContext, job: AsyncJob, attempt: number): Promise<AsyncAttemptOutcome> {
  const base = {
    spec: job.spec,
    requestId: job.requestId,
    operation: 'Invoke' as const,
    invocationType: 'Event' as const,
    attempt,
    ...(job.tenantId === undefined ? {} : { tenantId: job.tenantId }),
  };
  let handle: StartedInvocation;
  try {
    handle = await context.local.start(job.spec, {
      payload: job.payload,
      requestId: job.requestId,
      invokedFunctionArn: job.invokedFunctionArn,
      ...(job.qualifier === undefined ? {} : { qualifier: job.qualifier }),
      ...(job.clientContext === undefined ? {} : { clientContext: job.clientContext }),
      ...(job.tenantId === undefined ? {} : { tenantId: job.tenantId }),
    });
  } catch (error) {
    const throttled = isThrottled(error);
    context.onInvocation({ ...base, status: throttled ? 'throttled' : 'rejected', errorType: toServiceError(error).errorType });
    return throttled ? 'throttled' : 'error';
  }
  const response = await handle.response;
  let error: CallerError | undefined;
  if (response.kind === 'function-error') {
    error = describeErrorBody(response.body, response.errorType);
  } else if (response.kind === 'stream') {
    await readStream(response.body, 0);
    error = (await streamError(handle, response, job.spec.timeoutSeconds)).error;
  }
  const report = await handle.report;
  const errorType = report.errorType ?? error?.errorType;
  const failed = error !== undefined || report.status !== 'success';
  context.onInvocation({
    ...base,
    status: failed && report.status === 'success' ? 'error' : report.status,
    ...(errorType === undefined ? {} : { errorType }),
    report,
    executedVersion: handle.executedVersion,
  });
  return failed ? 'error' : 'success';
}

/**
 * `Invoke` (`POST /2015-03-31/functions/{FunctionName}/invocations`) and
 * `InvokeWithResponseStream` (`POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export async function registerInvokeRoutes(app: FastifyInstance, context: LambdaApiContext): Promise<void> {
  app.post('/2015-03-31/functions/:FunctionName/invocations', (request, reply) => invoke(request as InvokeRequest, reply, context));
  app.post('/2021-11-15/functions/:FunctionName/response-streaming-invocations', (request, reply) =>
    invokeWithResponseStream(request as InvokeRequest, reply, context),
  );
}
