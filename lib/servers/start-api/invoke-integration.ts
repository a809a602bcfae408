import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { FunctionSpec } from '../../assembly/index.js';
import type { CallerResponse, InvocationHandle } from '../../environment/index.js';
import { ErrorCodes, isCdkLocalError } from '../../errors.js';
import type { LocalLambda } from '../../host/index.js';
import type { FrontEndFailure } from './front-end-answers.js';

/** How the function's side of a request went. */
export type IntegrationOutcome =
  | { readonly kind: 'payload'; readonly body: Buffer; readonly requestId: string }
  /** A streamed response, for a front end that streams it on (function URLs in RESPONSE_STREAM mode). */
  | { readonly kind: 'stream'; readonly response: Extract<CallerResponse, { kind: 'stream' }>; readonly handle: InvocationHandle }
  | {
      readonly kind: 'failure';
      readonly failure: FrontEndFailure;
      readonly requestId?: string;
      readonly detail: string;
      /** A function error's payload (`errorMessage`, `errorType`, `stackTrace`), for a non-proxy integration to map. */
      readonly errorPayload?: Buffer;
    };

/** Options of {@link invokeIntegration}. */
export interface InvokeIntegrationOptions {
  readonly local: LocalLambda;
  readonly spec: FunctionSpec;
  readonly event: unknown;
  /** The integration timeout; undefined: only the function's own. */
  readonly timeoutMs?: number;
  /** The invocation's request ID. @default a new UUID */
  readonly requestId?: string;
  /** Hand a streamed response over as it comes instead of reading it whole. */
  readonly stream?: boolean;
  /** Says once why Lambda refused to run a function. */
  readonly onRejected?: (message: string) => void;
}

async function readWhole(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch {
    // Cut short: the report says why.
  }
  return Buffer.concat(chunks);
}

/** Reads the function's answer whole; a streamed one is read to its end and checked. */
async function settle(handle: InvocationHandle, stream: boolean): Promise<IntegrationOutcome> {
  const response = await handle.response;
  switch (response.kind) {
    case 'payload':
      return { kind: 'payload', body: response.body, requestId: handle.requestId };
    case 'function-error':
      return { kind: 'failure', failure: 'function-error', requestId: handle.requestId, detail: `${response.errorType}: ${response.body.toString('utf8')}`, errorPayload: response.body };
    case 'stream': {
      if (stream) return { kind: 'stream', response, handle };
      const body = await readWhole(response.body);
      const completion = await response.completion;
      const report = await handle.report;
      if (completion.error !== undefined || completion.truncated || report.status !== 'success') {
        return { kind: 'failure', failure: 'function-error', requestId: handle.requestId, detail: report.errorType ?? completion.error?.errorType ?? 'the stream was cut short' };
      }
      return { kind: 'payload', body, requestId: handle.requestId };
    }
  }
}

/**
 * Invokes the function of a Lambda proxy integration as the front end does: synchronously,
 * answered within the integration timeout, Lambda's refusals told apart from function errors.
 */
export async function invokeIntegration(options: InvokeIntegrationOptions): Promise<IntegrationOutcome> {
  let handle: InvocationHandle;
  try {
    handle = await options.local.start(options.spec, {
      payload: Buffer.from(JSON.stringify(options.event)),
      ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    });
  } catch (error) {
    if (isCdkLocalError(error) && error.code === ErrorCodes.TOO_MANY_REQUESTS) return { kind: 'failure', failure: 'throttled', detail: error.message };
    if (isCdkLocalError(error) && error.code === ErrorCodes.REQUEST_TOO_LARGE) return { kind: 'failure', failure: 'payload-too-large', detail: error.message };
    const message = error instanceof Error ? error.message : String(error);
    options.onRejected?.(message);
    return { kind: 'failure', failure: 'rejected', detail: message };
  }
  const settled = settle(handle, options.stream === true);
  // After a timeout nobody awaits the answer; its failure must not go unhandled.
  settled.catch(() => undefined);
  if (options.timeoutMs === undefined) return settled;
  const timer = new AbortController();
  try {
    return await Promise.race([
      settled,
      sleep(options.timeoutMs, undefined, { signal: timer.signal }).then(
        (): IntegrationOutcome => ({ kind: 'failure', failure: 'integration-timeout', requestId: handle.requestId, detail: `no answer within ${options.timeoutMs} ms` }),
        // Cancelled because the answer came first: this side of the race never settles.
        () => new Promise<never>(() => undefined),
      ),
    ]);
  } finally {
    timer.abort();
  }
}
