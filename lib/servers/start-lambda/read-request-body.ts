import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeAfterAnswer } from '../../runtime-api/index.js';
import { ServiceError, requestTooLarge } from './service-error.js';

/**
 * How long a request body may take to arrive. The service does not document its own limit;
 * this is Node's documented default for receiving request headers (`server.headersTimeout`),
 * which lets even a 6 MB payload cross a slow link, and frees a connection that trickles.
 */
export const DEFAULT_REQUEST_BODY_TIMEOUT_MS = 60_000;

/** Options of {@link readRequestBody}. */
export interface ReadRequestBodyOptions {
  /** The largest body taken. */
  readonly limitBytes: number;
  /** Named in the 413 message, e.g. `Invoke`. */
  readonly operation: string;
  /** @default DEFAULT_REQUEST_BODY_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** 408 when a body takes longer than the timeout to arrive. */
function requestTimeout(timeoutMs: number): ServiceError {
  return new ServiceError(408, 'RequestTimeoutException', `The request body did not arrive within ${timeoutMs / 1000} seconds.`);
}

/**
 * Reads a request body, refusing it as soon as it is known to be too large (by its
 * Content-Length, or once a chunked body passes the limit) with 413 `RequestTooLargeException`,
 * and a body that is slower than the timeout with 408. A refused body is not read on; its
 * connection is closed once the answer is out.
 */
export function readRequestBody(request: IncomingMessage, response: ServerResponse, options: ReadRequestBodyOptions): Promise<Buffer> {
  const { limitBytes, operation } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_BODY_TIMEOUT_MS;
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    closeAfterAnswer(request, response);
    return Promise.reject(requestTooLarge(limitBytes, operation));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    const stop = (): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const refuse = (error: ServiceError): void => {
      stop();
      closeAfterAnswer(request, response);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      sizeBytes += chunk.length;
      if (sizeBytes > limitBytes) refuse(requestTooLarge(limitBytes, operation));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, sizeBytes));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => {
      stop();
      reject(new Error('The client closed the connection before its request body ended.'));
    };
    const timer = setTimeout(() => refuse(requestTimeout(timeoutMs)), timeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
    if (request.readableEnded) onEnd();
  });
}
