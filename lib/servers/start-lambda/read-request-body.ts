import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError, requestTooLarge } from './service-error.js';

/**
 * How long a request body may take to arrive. The service does not document its own limit;
 * this is Node's documented default for receiving request headers (`server.headersTimeout`),
 * which lets even a 6 MB payload cross a slow link, and frees a connection that trickles.
 */
export const DEFAULT_REQUEST_BODY_TIMEOUT_MS = 60_000;

/**
 * After a refusal, the rest of a body still on its way is read and dropped up to this much
 * (or for {@link LINGER_MS}), so that a client that reads the answer only once it has sent
 * everything (most SDKs) sees the 413 instead of a reset connection; then the connection closes.
 */
const LINGER_MAX_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 2000;

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
 * Ends the connection of a refused request once its answer is out: the body is no longer
 * kept, only dropped for a short while so the client can read the answer.
 */
export function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  // The answer says so, so that no client sends another request on this connection.
  if (!response.headersSent) response.setHeader('Connection', 'close');
  if (request.complete) return;
  let dropped = 0;
  let answered = false;
  const close = (): void => {
    clearTimeout(timer);
    request.off('data', drop);
    socket.destroy();
  };
  const drop = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > LINGER_MAX_BYTES && answered) close();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  request.on('data', drop);
  request.once('end', () => {
    if (answered) close();
  });
  request.resume();
  // Node destroys a `Connection: close` socket as soon as the answer is out, which resets a
  // client still sending before it reads the answer: only end our side then, and close
  // when the body has ended or the lingering is over.
  Object.assign(socket, {
    destroySoon: () => {
      answered = true;
      socket.end();
      if (request.complete || dropped > LINGER_MAX_BYTES) close();
    },
  });
  response.once('close', () => {
    if (!answered) close();
  });
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
