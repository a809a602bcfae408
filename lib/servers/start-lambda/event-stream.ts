import { crc32 } from 'node:zlib';

/** The header value type `string` of the event-stream encoding. */
const STRING_HEADER_TYPE = 7;
/** Total length, headers length, prelude CRC. */
const PRELUDE_BYTES = 12;
const MESSAGE_CRC_BYTES = 4;

function encodeHeaders(headers: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    let offset = header.writeUInt8(nameBytes.length, 0);
    offset += nameBytes.copy(header, offset);
    offset = header.writeUInt8(STRING_HEADER_TYPE, offset);
    offset = header.writeUInt16BE(valueBytes.length, offset);
    valueBytes.copy(header, offset);
    parts.push(header);
  }
  return Buffer.concat(parts);
}

/**
 * One message of the `application/vnd.amazon.eventstream` binary encoding the AWS SDKs decode:
 * a prelude (total length, headers length, CRC32 of both), string headers, the payload, and a
 * CRC32 of everything before it, all big-endian.
 * https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
 */
export function encodeEventStreamMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const headerBytes = encodeHeaders(headers);
  const totalBytes = PRELUDE_BYTES + headerBytes.length + payload.length + MESSAGE_CRC_BYTES;
  const message = Buffer.alloc(totalBytes);
  message.writeUInt32BE(totalBytes, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, PRELUDE_BYTES);
  message.set(payload, PRELUDE_BYTES + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, totalBytes - MESSAGE_CRC_BYTES)), totalBytes - MESSAGE_CRC_BYTES);
  return message;
}

/** A `PayloadChunk` event of InvokeWithResponseStream: bytes of the function's response. */
export function payloadChunkEvent(bytes: Uint8Array): Buffer {
  return encodeEventStreamMessage(
    { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
    bytes,
  );
}

/** What the `InvokeComplete` event of InvokeWithResponseStream carries. */
export interface InvokeCompleteFields {
  /** The function's error type, when the invocation failed. */
  readonly ErrorCode?: string;
  /** The function's error message, when the invocation failed. */
  readonly ErrorDetails?: string;
  /** The base64 tail of the log, when the caller asked for it. */
  readonly LogResult?: string;
}

/** The `InvokeComplete` event that ends an InvokeWithResponseStream response. */
export function invokeCompleteEvent(fields: InvokeCompleteFields): Buffer {
  return encodeEventStreamMessage(
    { ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(fields)),
  );
}
