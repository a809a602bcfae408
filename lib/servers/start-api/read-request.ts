import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiRequest } from './api-request.js';

/** A request body longer than the front end takes. */
export class BodyTooLarge extends Error {}

/** Reads a request body, at most `limitBytes`; past that, rejects with {@link BodyTooLarge}. */
export async function readBody(message: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** An X-Ray trace header for a request that arrives without one. */
export function newTraceId(timeEpochMs: number): string {
  return `Root=1-${Math.floor(timeEpochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/**
 * The request as the function's front end sees it: raw path and query, headers as sent
 * (repeats kept), plus what the front end adds (`X-Forwarded-For`, `-Port`, `-Proto`,
 * `X-Amzn-Trace-Id`).
 */
export function toApiRequest(message: IncomingMessage, body: Buffer, localPort: number): ApiRequest {
  const url = message.url ?? '/';
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  const rawQueryString = question < 0 ? '' : url.slice(question + 1);
  const timeEpochMs = Date.now();
  const sourceIp = (message.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const headers: [string, string][] = [];
  const raw = message.rawHeaders;
  let forwardedFor: string | undefined;
  let traceId: string | undefined;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!;
    const value = raw[index + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    else if (lower === 'x-forwarded-port' || lower === 'x-forwarded-proto') continue;
    else if (lower === 'x-amzn-trace-id') traceId = value;
    else headers.push([name, value]);
  }
  headers.push(
    ['X-Amzn-Trace-Id', traceId ?? newTraceId(timeEpochMs)],
    ['X-Forwarded-For', forwardedFor === undefined ? sourceIp : `${forwardedFor}, ${sourceIp}`],
    ['X-Forwarded-Port', String(localPort)],
    ['X-Forwarded-Proto', 'http'],
  );
  return {
    method: (message.method ?? 'GET').toUpperCase(),
    path: path.startsWith('/') ? path : `/${path}`,
    rawQueryString,
    headers,
    body,
    sourceIp,
    protocol: `HTTP/${message.httpVersion}`,
    requestId: randomUUID(),
    timeEpochMs,
  };
}
