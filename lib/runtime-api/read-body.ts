import type { IncomingMessage } from 'node:http';

/** What {@link readBody} got from a request body. */
export interface ReadBodyResult {
  /** The body, unless it was larger than the limit. */
  readonly body?: Buffer;
  /** Bytes received in all. */
  readonly sizeBytes: number;
  /** The connection closed before the body ended. */
  readonly truncated: boolean;
}

/**
 * Reads a request body up to `limitBytes`. Past the limit it keeps reading and
 * discarding, so the client can still be sent a proper answer.
 */
export async function readBody(stream: AsyncIterable<Buffer>, raw: IncomingMessage, limitBytes: number): Promise<ReadBodyResult> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  try {
    for await (const chunk of stream) {
      sizeBytes += chunk.length;
      if (sizeBytes <= limitBytes) chunks.push(chunk);
    }
  } catch {
    return { sizeBytes, truncated: true };
  }
  // A client that closes the connection mid-body makes the iteration above throw; Node
  // marks a body that ended early as incomplete.
  if (raw.complete === false && raw.readableAborted) return { sizeBytes, truncated: true };
  return sizeBytes <= limitBytes ? { body: Buffer.concat(chunks, sizeBytes), sizeBytes, truncated: false } : { sizeBytes, truncated: false };
}
