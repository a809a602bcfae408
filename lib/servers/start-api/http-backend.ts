import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Headers HTTP itself owns: the client side of the connection sets them. */
const CONNECTION_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-connection']);

/** A request API Gateway sends to an HTTP backend. */
export interface BackendRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** The backend's answer, its body still to read, or why there is none. */
export type BackendOutcome = { readonly kind: 'response'; readonly response: IncomingMessage } | { readonly kind: 'timeout' } | { readonly kind: 'error'; readonly detail: string };

/** True for a header the front end may send on to the backend or back to the client. */
export function isEndToEndHeader(name: string): boolean {
  return !CONNECTION_HEADERS.has(name.toLowerCase());
}

/**
 * Sends a request to an HTTP integration's backend, with node:http so headers and body pass
 * as they are (no decompression); the integration timeout covers the wait for the status.
 */
export function sendToBackend(request: BackendRequest): Promise<BackendOutcome> {
  return new Promise((resolve) => {
    const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
    // Repeats of a name go as a list, which Node sends as one line each.
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of request.headers) {
      if (!isEndToEndHeader(name)) continue;
      const previous = headers[name];
      headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    headers['Content-Length'] = String(request.body.length);
    const outgoing = send(request.url, { method: request.method, headers }, (response) => {
      clearTimeout(timer);
      resolve({ kind: 'response', response });
    });
    const timer = setTimeout(() => {
      resolve({ kind: 'timeout' });
      outgoing.destroy();
    }, request.timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      resolve({ kind: 'error', detail: error.message });
    });
    outgoing.end(request.body);
  });
}

/** Reads a backend response's body whole. */
export async function readBackendBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A backend response's headers as name and value pairs, repeats kept. */
export function backendHeaders(response: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) pairs.push([response.rawHeaders[index]!, response.rawHeaders[index + 1]!]);
  return pairs;
}
