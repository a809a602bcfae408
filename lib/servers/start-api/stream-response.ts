import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FunctionSpec } from '../../assembly/index.js';
import type { ApiAnswer } from './api-request.js';
import { failureAnswer, type FrontEnd } from './front-end-answers.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, readPrelude, splitPrelude } from './http-integration-prelude.js';
import type { IntegrationOutcome } from './invoke-integration.js';
import { safeHeaders } from './safe-headers.js';

/** Options of {@link streamToClient}. */
export interface StreamOptions {
  readonly frontEnd: FrontEnd;
  /** The headers the front end adds to the function's (request IDs). */
  readonly frontEndHeaders: readonly (readonly [string, string])[];
  /** Changes the function's headers before they go out (a function URL's CORS configuration). */
  readonly headers?: (headers: readonly (readonly [string, string])[]) => readonly (readonly [string, string])[];
}

/** How a streamed response went: written, or an answer to write instead (nothing was sent yet). */
export interface StreamResult {
  readonly answer?: ApiAnswer;
  readonly written?: { readonly statusCode: number };
  readonly function: FunctionSpec;
  readonly requestId: string;
  readonly detail?: string;
}

/**
 * Streams a function's response to the client as it is written: the prelude first, when it
 * has one. Function URLs and REST methods in `STREAM` mode share it; each front end gives its
 * own headers and failure answers.
 */
export async function streamToClient(
  outcome: Extract<IntegrationOutcome, { kind: 'stream' }>,
  response: ServerResponse,
  fn: FunctionSpec,
  options: StreamOptions,
): Promise<StreamResult> {
  const { handle } = outcome;
  const { frontEnd, frontEndHeaders } = options;
  const withPrelude = outcome.response.contentType === HTTP_INTEGRATION_CONTENT_TYPE;
  let pending = Buffer.alloc(0);
  let statusCode: number | undefined;
  const start = (status: number, headers: readonly (readonly [string, string])[]): void => {
    statusCode = status;
    response.writeHead(status, [...(options.headers === undefined ? headers : options.headers(headers)), ...frontEndHeaders].flat());
    // Headers go out now, before the first chunk, as the service sends them.
    response.flushHeaders();
  };
  const send = async (chunk: Buffer): Promise<void> => {
    // A client that went away never drains: stop waiting when the response closes.
    if (chunk.length > 0 && !response.destroyed && !response.write(chunk)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
  };
  const plainHead: [string, string][] = [['Content-Type', outcome.response.contentType]];
  try {
    for await (const chunk of outcome.response.body as AsyncIterable<Buffer>) {
      if (statusCode !== undefined) {
        await send(chunk);
        continue;
      }
      // The status goes out with the first byte: a function that fails before it gets a 502.
      if (!withPrelude) {
        if (chunk.length === 0) continue;
        start(200, plainHead);
        await send(chunk);
        continue;
      }
      pending = Buffer.concat([pending, chunk]);
      const split = splitPrelude(pending);
      if (split === undefined) continue;
      const head = readPrelude(split.prelude, { multiValueHeaders: frontEnd === 'rest' });
      const headers = head === undefined ? undefined : safeHeaders(head.headers);
      if (head === undefined || headers === undefined) {
        return { answer: failureAnswer(frontEnd, 'malformed'), function: fn, requestId: handle.requestId, detail: 'malformed response: the prelude of the stream' };
      }
      start(head.statusCode, headers);
      await send(split.body);
    }
  } catch {
    // Cut short (a timeout, a crash): the report says why; the client sees the body end.
  }
  const report = await handle.report;
  const completion = await outcome.response.completion;
  const error = report.status !== 'success' ? (report.errorType ?? report.status) : completion.error?.errorType;
  if (statusCode === undefined) {
    if (error !== undefined) return { answer: failureAnswer(frontEnd, 'function-error'), function: fn, requestId: handle.requestId, detail: error };
    // An empty stream is an empty 200; one that never finished its prelude has that as its body.
    start(200, withPrelude ? [['Content-Type', 'application/octet-stream']] : plainHead);
    await send(pending);
  }
  response.end();
  return { written: { statusCode: statusCode ?? 200 }, function: fn, requestId: handle.requestId, ...(error === undefined ? {} : { detail: error }) };
}

