import type { ApiAnswer } from './api-request.js';

/** The content type of a streamed response that starts with a status and headers prelude (D.21). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

const DELIMITER = Buffer.alloc(8);

/** Status and headers of a streamed response, from its JSON prelude. */
export type StreamHead = Omit<ApiAnswer, 'body'>;

/**
 * Splits a streamed response's bytes at the end of its prelude, the first 8 NUL bytes.
 * Undefined while the delimiter has not arrived.
 */
export function splitPrelude(bytes: Buffer): { prelude: Buffer; body: Buffer } | undefined {
  const index = bytes.indexOf(DELIMITER);
  return index < 0 ? undefined : { prelude: bytes.subarray(0, index), body: bytes.subarray(index + DELIMITER.length) };
}

/**
 * The status and headers a prelude `{"statusCode","headers","cookies"}` asks for (REST's also
 * has `multiValueHeaders`); a prelude that is not such an object gives undefined (the front
 * end then fails the request).
 */
export function readPrelude(prelude: Buffer, options: { readonly multiValueHeaders?: boolean } = {}): StreamHead | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(prelude.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = parsed as Record<string, unknown>;
  const statusCode = fields['statusCode'] === undefined ? 200 : fields['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const headers: [string, string][] = [];
  const given = fields['headers'];
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    for (const [name, value] of Object.entries(given)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') headers.push([name, String(value)]);
    }
  }
  const multi = fields['multiValueHeaders'];
  if (options.multiValueHeaders === true && typeof multi === 'object' && multi !== null && !Array.isArray(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) continue;
      for (const value of values) if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') headers.push([name, String(value)]);
    }
  }
  const cookies = fields['cookies'];
  if (Array.isArray(cookies)) for (const cookie of cookies) if (typeof cookie === 'string') headers.push(['Set-Cookie', cookie]);
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/octet-stream']);
  return { statusCode, headers };
}
