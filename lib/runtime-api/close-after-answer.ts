import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * After a refusal, the rest of a body still on its way is read and dropped up to this much
 * (or for {@link LINGER_MS}), so that a client that reads the answer only once it has sent
 * everything (most SDKs, Python's http.client) sees the answer instead of a reset
 * connection; then the connection closes.
 */
const LINGER_MAX_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 2000;

/**
 * Ends the connection of a refused request once its answer is out: the body is no longer
 * kept, only dropped for a short while so the client can read the answer.
 */
export function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  // The answer says so, so that no client sends another request on this connection.
  if (!response.headersSent) response.setHeader('Connection', 'close');
  // Fastify's inject (tests) has no connection to close.
  if (request.complete || !(socket instanceof Socket)) return;
  let dropped = 0;
  let answered = false;
  const close = (): void => {
    clearTimeout(timer);
    request.off('data', drop);
    socket.destroy();
  };
  const drop = (chunk: Buffer): void => {
    dropped += chunk.length;
    if (dropped > LINGER_MAX_BYTES && answered) close();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  request.on('data', drop);
  request.once('end', () => {
    if (answered) close();
  });
  request.resume();
  // Node destroys a `Connection: close` socket as soon as the answer is out, which resets a
  // client still sending before it reads the answer: only end our side then, and close
  // when the body has ended or the lingering is over.
  Object.assign(socket, {
    destroySoon: () => {
      answered = true;
      socket.end();
      if (request.complete || dropped > LINGER_MAX_BYTES) close();
    },
  });
  response.once('close', () => {
    if (!answered) close();
  });
}
