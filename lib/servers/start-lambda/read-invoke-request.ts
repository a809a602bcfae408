import type { FunctionSpec } from '../../assembly/index.js';
import { invalidParameterValue, invalidRequestContent } from './service-error.js';
import type { InvocationType } from './lambda-headers.js';

/** The longest `X-Amz-Client-Context` the service takes (base64 text). */
const MAX_CLIENT_CONTEXT_CHARS = 3583;

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Where `bytes` stop being UTF-8, said as the service says it (`Invalid UTF-8 start byte 0x97`). */
function describeInvalidUtf8(bytes: Buffer): string {
  for (let index = 0; index < bytes.length; ) {
    const lead = bytes[index]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (length === 0) return `Invalid UTF-8 start byte 0x${lead.toString(16)}`;
    for (let next = 1; next < length; next++) {
      const byte = bytes[index + next];
      if (byte === undefined || (byte & 0xc0) !== 0x80) return `Invalid UTF-8 middle byte 0x${(byte ?? 0).toString(16)}`;
    }
    index += length;
  }
  return 'Invalid UTF-8';
}

/**
 * The event as the runtime gets it: the bytes as sent, `{}` when there are none (as when
 * an SDK invokes without a payload). Anything that is not JSON is refused, as Lambda does.
 */
export function checkJsonPayload(payload: Buffer): Buffer {
  if (payload.length === 0) return Buffer.from('{}');
  try {
    // Bytes that are not UTF-8 are refused, as the service does, not patched over.
    JSON.parse(STRICT_UTF8.decode(payload));
  } catch (error) {
    if (error instanceof TypeError) {
      throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${describeInvalidUtf8(payload)}`);
    }
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
  let text: string;
  let parsed: unknown;
  try {
    // Bytes that are not UTF-8 are refused, as the service does, not patched over.
    text = STRICT_UTF8.decode(Buffer.from(header, 'base64'));
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

/**
 * `X-Amz-Tenant-Id`: required by a function with tenant isolation, refused by any other, with
 * the service's `InvalidParameterValueException` (its wording is not documented: ours).
 * https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-troubleshooting.html
 */
export function checkTenantId(spec: FunctionSpec, header: string | undefined): string | undefined {
  const tenantId = header === '' ? undefined : header;
  if (spec.tenantIsolationMode !== undefined && tenantId === undefined) {
    throw invalidParameterValue(`The function ${spec.functionName} has tenant isolation mode ${spec.tenantIsolationMode}: the invocation needs a tenant id (TenantId, X-Amz-Tenant-Id).`);
  }
  if (spec.tenantIsolationMode === undefined && tenantId !== undefined) {
    throw invalidParameterValue(`The function ${spec.functionName} does not have tenant isolation: invoke it without a tenant id.`);
  }
  return tenantId;
}
