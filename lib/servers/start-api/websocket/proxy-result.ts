/** What a Lambda proxy integration's answer means to a WebSocket route. */
export interface WebSocketProxyResult {
  /** The `statusCode` the function gave, if it gave one. */
  readonly statusCode?: number;
  /** `headers` and `multiValueHeaders`, for the handshake of `$connect`. */
  readonly headers: readonly (readonly [string, string])[];
  /** What a two-way route sends back; undefined: nothing. */
  readonly body?: Buffer;
  /** The body came base64-encoded (`isBase64Encoded`): it goes out in a binary frame. */
  readonly binary: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a function's answer to a WebSocket route: a proxy response (`statusCode`, `headers`,
 * `body`, `isBase64Encoded`) gives its parts; anything else is the body itself.
 */
export function readProxyResult(payload: Buffer): WebSocketProxyResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return { headers: [], body: payload, binary: false };
  }
  if (parsed === null) return { headers: [], binary: false };
  if (typeof parsed === 'string') return { headers: [], body: Buffer.from(parsed), binary: false };
  if (!isObject(parsed) || !('statusCode' in parsed)) return { headers: [], body: payload, binary: false };
  const statusCode = Number(parsed['statusCode']);
  const headers: [string, string][] = [];
  if (isObject(parsed['headers'])) for (const [name, value] of Object.entries(parsed['headers'])) if (value !== null && value !== undefined) headers.push([name, String(value)]);
  if (isObject(parsed['multiValueHeaders'])) {
    for (const [name, values] of Object.entries(parsed['multiValueHeaders'])) if (Array.isArray(values)) for (const value of values) headers.push([name, String(value)]);
  }
  const binary = parsed['isBase64Encoded'] === true;
  const rawBody = parsed['body'];
  const body = rawBody === undefined || rawBody === null ? undefined : typeof rawBody === 'string' ? Buffer.from(rawBody, binary ? 'base64' : 'utf8') : Buffer.from(JSON.stringify(rawBody));
  return { ...(Number.isInteger(statusCode) ? { statusCode } : {}), headers, ...(body === undefined ? {} : { body }), binary };
}
