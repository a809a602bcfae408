import { invalidParameterValue, invalidRequestContent, requestTooLarge } from './service-error.js';
import type { InvocationType } from './lambda-headers.js';

/** The longest `X-Amz-Client-Context` the service takes (base64 text). */
const MAX_CLIENT_CONTEXT_CHARS = 3583;

/**
 * Reads a request body up to `limitBytes`. A larger body is still read to its end (and
 * dropped), so the caller gets the 413 answer rather than a reset connection.
 */
export async function readPayload(body: AsyncIterable<Buffer>, limitBytes: number, operation: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  for await (const chunk of body) {
    sizeBytes += chunk.length;
    if (sizeBytes <= limitBytes) chunks.push(chunk);
  }
  if (sizeBytes > limitBytes) throw requestTooLarge(limitBytes, operation);
  return Buffer.concat(chunks, sizeBytes);
}

/**
 * The event as the runtime gets it: the bytes as sent, `{}` when there are none (as when
 * an SDK invokes without a payload). Anything that is not JSON is refused, as Lambda does.
 */
export function checkJsonPayload(payload: Buffer): Buffer {
  if (payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${detail}`);
  }
  return payload;
}

/** `X-Amz-Client-Context` (base64 of a JSON object) decoded to the JSON text the runtime gets. */
export function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const invalid = invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
  if (header.length > MAX_CLIENT_CONTEXT_CHARS) {
    throw invalidParameterValue(`Client context must be at most ${MAX_CLIENT_CONTEXT_CHARS} characters of base64.`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(header)) throw invalid;
  const text = Buffer.from(header, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid;
  return text;
}

/** Reads `X-Amz-Invocation-Type`; `allowed` lists what the operation takes. */
export function readInvocationType(header: string | undefined, allowed: readonly InvocationType[]): InvocationType {
  if (header === undefined || header === '') return 'RequestResponse';
  const found = allowed.find((type) => type === header);
  if (found === undefined) {
    throw invalidParameterValue(
      `1 validation error detected: Value '${header}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return found;
}

/** Reads `X-Amz-Log-Type`: true for `Tail`. */
export function readLogType(header: string | undefined): boolean {
  if (header === undefined || header === '' || header === 'None') return false;
  if (header === 'Tail') return true;
  throw invalidParameterValue(`1 validation error detected: Value '${header}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
}
