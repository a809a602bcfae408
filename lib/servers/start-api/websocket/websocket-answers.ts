import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FrontEndFailure } from '../front-end-answers.js';

/**
 * The frame API Gateway sends a client when it cannot handle its message: no route for it
 * (`Forbidden`, U.118), a function that failed (`Internal server error`, U.121), spelled as the service spells it.
 */
export function errorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`;
}

/** The message of the error frame for a failed integration. */
export function failureMessage(failure: FrontEndFailure): string {
  return failure === 'integration-timeout' ? 'Endpoint request timed out' : 'Internal server error';
}

/** The status of a refused handshake when `$connect`'s integration failed (U.117). */
export function connectFailureStatus(failure: FrontEndFailure): number {
  switch (failure) {
    case 'integration-timeout':
      return 504;
    case 'throttled':
      return 429;
    case 'payload-too-large':
      return 413;
    default:
      return 502;
  }
}

/** Refuses a WebSocket handshake with an HTTP answer, as the service answers a refused `$connect`. */
export function refuseUpgrade(socket: Duplex, statusCode: number, body: string, headers: readonly (readonly [string, string])[] = []): void {
  if (socket.destroyed) return;
  const lines = [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Unknown'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...headers.map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
