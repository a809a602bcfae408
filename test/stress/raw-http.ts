// HTTP at the byte level, for requests no proper client would send: malformed, truncated,
// oversized, or dribbled out slowly.
import { connect, type Socket } from 'node:net';

/** How an exchange ended: an answer from the server, or the server closing the connection without one. */
export type RawOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly head: string; readonly body: string }
  | { readonly kind: 'closed'; readonly received: string };

/** Splits `host:port`. */
function hostAndPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** A request as text: `Host` and `Connection: close` added, `Content-Length` when there is a body and none was given. */
export function httpRequest(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (body !== undefined && !names.includes('content-length') && !names.includes('transfer-encoding')) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body ?? '')]);
}

/** `data` without the interim 1xx responses before the final one (`100 Continue`). */
function skipInterim(data: Buffer): Buffer {
  let rest = data;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest.subarray(0, 16).toString('latin1'))) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return Buffer.alloc(0);
    rest = rest.subarray(end + 4);
  }
  return rest;
}

/** The response in `data`, once all of it has arrived; undefined while it is incomplete. */
function completeResponse(received: Buffer): RawOutcome | undefined {
  const data = skipInterim(received);
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const body = data.subarray(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  if (length !== undefined) {
    return body.length >= Number(length) ? { kind: 'response', status, head, body: body.subarray(0, Number(length)).toString('utf8') } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    return body.includes('0\r\n\r\n') ? { kind: 'response', status, head, body: body.toString('utf8') } : undefined;
  }
  return undefined;
}

/** An open connection whose requests the caller writes as it pleases. */
export interface RawConnection {
  readonly socket: Socket;
  /** Settles with the response, or with `closed` when the server closes first; rejects after `timeoutMs` (a hang). */
  readonly outcome: Promise<RawOutcome>;
}

/** Opens a connection; `outcome` waits at most `timeoutMs` for the server to answer or close. */
export function openRaw(address: string, timeoutMs: number): Promise<RawConnection> {
  const { host, port } = hostAndPort(address);
  return new Promise((resolveOpen, rejectOpen) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let settle: ((outcome: RawOutcome) => void) | undefined;
    let fail: ((error: Error) => void) | undefined;
    const outcome = new Promise<RawOutcome>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const timer = setTimeout(() => {
      const received = Buffer.concat(chunks).toString('latin1');
      fail?.(new Error(`No answer and no close within ${timeoutMs} ms (received ${JSON.stringify(received.slice(0, 200))})`));
      socket.destroy();
    }, timeoutMs);
    const finish = (result: RawOutcome): void => {
      clearTimeout(timer);
      settle?.(result);
      settle = undefined;
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const response = completeResponse(Buffer.concat(chunks));
      if (response !== undefined) finish(response);
    });
    const closed = (): void => {
      const data = skipInterim(Buffer.concat(chunks));
      // Whatever arrived before the close: a response without a length ends with the connection.
      const end = data.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1'))?.[1]);
      if (end !== -1 && Number.isInteger(status)) {
        finish({ kind: 'response', status, head: data.subarray(0, end).toString('latin1'), body: data.subarray(end + 4).toString('utf8') });
      } else {
        finish({ kind: 'closed', received: data.toString('latin1') });
      }
    };
    socket.on('end', closed);
    socket.on('close', closed);
    // A reset while writing (the server answered early and closed) ends the exchange like a close.
    socket.on('error', () => undefined);
    socket.once('connect', () => resolveOpen({ socket, outcome }));
    socket.once('error', (error) => {
      if (socket.connecting) rejectOpen(error);
    });
  });
}

/** Sends `data` on a new connection (then half-closes it with `halfClose`) and waits for the outcome. */
export async function sendRaw(address: string, data: Buffer | string, options: { halfClose?: boolean; timeoutMs: number }): Promise<RawOutcome> {
  const { socket, outcome } = await openRaw(address, options.timeoutMs);
  socket.write(data);
  if (options.halfClose === true) socket.end();
  return outcome;
}
