import type { ApiAnswer } from './api-request.js';

/** A function's answer made into an HTTP response, or why the front end would refuse it. */
export type MappedResponse = { readonly ok: true; readonly answer: ApiAnswer } | { readonly ok: false; readonly reason: string };

const V1_FIELDS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

function parse(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function statusCodeOf(value: unknown): number | undefined {
  const code = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function hasHeader(headers: readonly (readonly [string, string])[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([key]) => key.toLowerCase() === lower);
}

/** Options of {@link mapV1Response}. */
export interface V1ResponseOptions {
  /** REST APIs refuse fields outside the proxy response format; HTTP APIs ignore them. */
  readonly strict: boolean;
  /** Whether a base64 body is sent to the client decoded (REST: per binary media types). */
  readonly decodeBase64: (contentType: string | undefined) => boolean;
}

/**
 * Maps a payload format 1.0 response (`statusCode`, `headers`, `multiValueHeaders`, `body`,
 * `isBase64Encoded`): anything else is malformed. A name in both header maps takes the
 * values of `multiValueHeaders` only. Without a content type, `application/json`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
 */
export function mapV1Response(payload: Buffer, options: V1ResponseOptions): MappedResponse {
  const parsed = parse(payload);
  if (!parsed.ok || !isObject(parsed.value)) return { ok: false, reason: 'the response is not a JSON object' };
  const response = parsed.value;
  if (options.strict) {
    const extra = Object.keys(response).filter((key) => !V1_FIELDS.has(key));
    if (extra.length > 0) return { ok: false, reason: `the response has fields a proxy response cannot have: ${extra.join(', ')}` };
  }
  const statusCode = statusCodeOf(response['statusCode']);
  if (statusCode === undefined) return { ok: false, reason: 'the response has no valid statusCode' };
  const body = response['body'];
  if (body !== undefined && body !== null && typeof body !== 'string') return { ok: false, reason: 'the body is not a string' };
  const headers: [string, string][] = [];
  const multi = response['multiValueHeaders'];
  const single = response['headers'];
  if (multi !== undefined && multi !== null && !isObject(multi)) return { ok: false, reason: 'multiValueHeaders is not an object' };
  if (single !== undefined && single !== null && !isObject(single)) return { ok: false, reason: 'headers is not an object' };
  const multiNames = new Set(Object.keys(multi ?? {}).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(single ?? {})) {
    if (value === null || multiNames.has(name.toLowerCase())) continue;
    const text = scalarText(value);
    if (text === undefined) return { ok: false, reason: `header ${name} is not a string` };
    headers.push([name, text]);
  }
  for (const [name, values] of Object.entries(multi ?? {})) {
    if (values === null) continue;
    if (!Array.isArray(values)) return { ok: false, reason: `multiValueHeaders.${name} is not a list` };
    for (const value of values) {
      const text = scalarText(value);
      if (text === undefined) return { ok: false, reason: `a value of multiValueHeaders.${name} is not a string` };
      headers.push([name, text]);
    }
  }
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const text = typeof body === 'string' ? body : '';
  const base64 = response['isBase64Encoded'] === true && options.decodeBase64(contentType);
  return { ok: true, answer: { statusCode, headers, body: base64 ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') } };
}

/**
 * Maps a payload format 2.0 response (HTTP APIs, function URLs). An object with `statusCode`
 * is a structured response (`headers`, `cookies`, `body`, `isBase64Encoded`); any other valid
 * JSON is the body of a 200 `application/json` response (a string as it is, the rest as JSON).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 */
export function mapV2Response(payload: Buffer): MappedResponse {
  const parsed = parse(payload);
  if (!parsed.ok) return { ok: false, reason: 'the response is not JSON' };
  const response = parsed.value;
  if (!isObject(response) || response['statusCode'] === undefined) {
    const body = typeof response === 'string' ? response : JSON.stringify(response);
    return { ok: true, answer: { statusCode: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(body, 'utf8') } };
  }
  const statusCode = statusCodeOf(response['statusCode']);
  if (statusCode === undefined) return { ok: false, reason: 'the response has no valid statusCode' };
  const headers: [string, string][] = [];
  const single = response['headers'];
  if (single !== undefined && single !== null && !isObject(single)) return { ok: false, reason: 'headers is not an object' };
  for (const [name, value] of Object.entries(single ?? {})) {
    if (value === null) continue;
    const text = scalarText(value);
    if (text === undefined) return { ok: false, reason: `header ${name} is not a string` };
    headers.push([name, text]);
  }
  const cookies = response['cookies'];
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) return { ok: false, reason: 'cookies is not a list of strings' };
    for (const cookie of cookies as string[]) headers.push(['Set-Cookie', cookie]);
  }
  const body = response['body'];
  if (body !== undefined && body !== null && typeof body !== 'string') return { ok: false, reason: 'the body is not a string' };
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  const text = typeof body === 'string' ? body : '';
  return { ok: true, answer: { statusCode, headers, body: response['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') } };
}
