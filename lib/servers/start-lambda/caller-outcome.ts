import type { Readable } from 'node:stream';
import type { CallerResponse, InvocationHandle, InvocationReport } from '../../environment/index.js';
import { MAX_RESPONSE_BYTES } from '../../runtime-api/index.js';

/** A function error as the caller of the Invoke API sees it. */
export interface CallerError {
  readonly errorType: string;
  readonly errorMessage: string;
  /** The error document, the body of a buffered Invoke answer. */
  readonly body: Buffer;
}

/** Reads `{errorType, errorMessage}` out of an error document; `fallbackType` when it has none. */
export function describeErrorBody(body: Buffer, fallbackType: string): CallerError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return {
    errorType: typeof fields.errorType === 'string' ? fields.errorType : fallbackType,
    errorMessage: typeof fields.errorMessage === 'string' ? fields.errorMessage : body.toString('utf8'),
    body,
  };
}

function makeError(errorType: string, errorMessage: string): CallerError {
  return { errorType, errorMessage, body: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}

/**
 * Reads a streamed response to its end, keeping at most `limitBytes` (a buffered caller is
 * held to Lambda's 6 MB); `overflow` says bytes were dropped. A stream cut short (timeout,
 * crash) ends the read without an exception: the report says what happened.
 */
export async function readStream(stream: Readable, limitBytes = MAX_RESPONSE_BYTES): Promise<{ body: Buffer; sizeBytes: number; overflow: boolean }> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      sizeBytes += chunk.length;
      if (sizeBytes <= limitBytes) chunks.push(chunk);
    }
  } catch {
    // Cut short: the report tells why.
  }
  const overflow = sizeBytes > limitBytes;
  return { body: Buffer.concat(chunks), sizeBytes, overflow };
}

/**
 * How a streamed response ended, once its body has been read: a timeout or crash from the
 * report, else the error the runtime put in the trailers, else a truncated body.
 */
export async function streamError(
  handle: InvocationHandle,
  response: Extract<CallerResponse, { kind: 'stream' }>,
  timeoutSeconds: number,
): Promise<{ report: InvocationReport; error?: CallerError }> {
  const report = await handle.report;
  if (report.status === 'timeout') {
    return { report, error: makeError('Sandbox.Timedout', `RequestId: ${handle.requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`) };
  }
  // The report has waited for the stream's end, so its completion has settled.
  const completion = await response.completion;
  if (completion.error !== undefined) {
    return { report, error: describeErrorBody(completion.error.body, completion.error.errorType ?? 'Function.Unknown') };
  }
  if (report.status !== 'success' && report.errorType !== 'Runtime.TruncatedResponse') {
    const errorType = report.errorType ?? 'Runtime.Unknown';
    return { report, error: makeError(errorType, `RequestId: ${handle.requestId} Error: ${errorType}`) };
  }
  if (completion.truncated) {
    return { report, error: makeError('Runtime.TruncatedResponse', 'The runtime closed the connection before the response was complete') };
  }
  return { report };
}

/** The error a buffered caller gets for a streamed response over 6 MB. */
export function responseTooLarge(sizeBytes: number): CallerError {
  return makeError('Function.ResponseSizeTooLarge', `Response payload size (${sizeBytes} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`);
}
