import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeAfterAnswer } from './close-after-answer.js';

/** What {@link readBody} got from a request body. */
export interface ReadBodyResult {
  /** The body, unless it was larger than the limit. */
  readonly body?: Buffer;
  /**
   * Bytes in all: the body's length, or for one over the limit what its Content-Length
   * declared, else the bytes received until it passed the limit.
   */
  readonly sizeBytes: number;
  /** The connection closed before the body ended. */
  readonly truncated: boolean;
}

/**
 * Reads a buffered request body up to `limitBytes`. A body over the limit is known as soon as
 * its Content-Length says so or its bytes pass the limit: it is not read on, so that the
 * answer goes out at once, and its connection is closed once that answer is out (after
 * dropping a bounded remainder, so a runtime that reads answers only after sending still gets
 * it, and carries on with /next on a new connection, as C.15 allows).
 * Streamed responses are not read here: they may last the whole function timeout. A body
 * that trickles has no timer of its own: it is bounded by the phase it belongs to (the init
 * timeout, the invocation's deadline), at whose end the environment is reset.
 */
export function readBody(request: IncomingMessage, response: ServerResponse, limitBytes: number): Promise<ReadBodyResult> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    closeAfterAnswer(request, response);
    return Promise.resolve({ sizeBytes: declared, truncated: false });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    const finish = (result: ReadBodyResult): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onCut);
      request.off('close', onCut);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      sizeBytes += chunk.length;
      if (sizeBytes <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      finish({ sizeBytes, truncated: false });
      closeAfterAnswer(request, response);
    };
    const onEnd = (): void => finish({ body: Buffer.concat(chunks, sizeBytes), sizeBytes, truncated: false });
    // A client that closes the connection mid-body: Node destroys the request with an error.
    const onCut = (): void => finish({ sizeBytes, truncated: true });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onCut);
    request.on('close', onCut);
    if (request.readableEnded) onEnd();
  });
}
