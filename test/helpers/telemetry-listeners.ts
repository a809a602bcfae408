import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One event as a telemetry listener receives it. */
export interface ReceivedEvent {
  readonly time: string;
  readonly type: string;
  readonly record: unknown;
}

/** Resolves once `check()` holds, re-checking on every 'change' of `emitter`; rejects after `timeoutMs`. */
export async function waitUntil(emitter: EventEmitter, check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  if (check()) return;
  const stop = new AbortController();
  const changed = new Promise<void>((resolve) => {
    const onChange = (): void => {
      if (!check()) return;
      emitter.off('change', onChange);
      resolve();
    };
    emitter.on('change', onChange);
    stop.signal.addEventListener('abort', () => emitter.off('change', onChange), { once: true });
  });
  const timedOut = sleep(timeoutMs, undefined, { signal: stop.signal }).then(
    () => {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    () => undefined,
  );
  try {
    await Promise.race([changed, timedOut]);
  } finally {
    stop.abort();
  }
}

/** What an HTTP listener saw of one request. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly contentType: string | undefined;
  readonly events: ReceivedEvent[];
}

/** How the listener answers its nth request (0-based): a status code, or 'hold' until {@link HttpListener.release}. */
export type Answer = (index: number) => number | 'hold';

/** A telemetry listener on 127.0.0.1, as an extension would run one. */
export interface HttpListener {
  readonly port: number;
  /** Every request, answered or not. */
  readonly requests: ReceivedRequest[];
  /** The batches it accepted (answered below 400), in order. */
  readonly batches: ReceivedEvent[][];
  /** Requests whose connection closed before they were answered. */
  readonly abandoned: number;
  answer: Answer;
  /** Answers every held request with 200. */
  release(): void;
  /** Every accepted event, in order. */
  events(): ReceivedEvent[];
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts an HTTP telemetry listener on 127.0.0.1 and a free port. */
export async function startHttpListener(answer: Answer = () => 200): Promise<HttpListener> {
  const changes = new EventEmitter();
  const requests: ReceivedRequest[] = [];
  const batches: ReceivedEvent[][] = [];
  const held: { response: ServerResponse; events: ReceivedEvent[] }[] = [];
  let abandoned = 0;
  const accept = (response: ServerResponse, status: number, events: ReceivedEvent[]): void => {
    if (status < 400) batches.push(events);
    response.writeHead(status).end();
    changes.emit('change');
  };
  const server = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const events = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedEvent[];
      const index = requests.length;
      requests.push({ method: request.method ?? '', url: request.url ?? '', host: request.headers.host, contentType: request.headers['content-type'], events });
      response.once('close', () => {
        if (!response.writableFinished) {
          abandoned += 1;
          changes.emit('change');
        }
      });
      const decision = listener.answer(index);
      if (decision === 'hold') {
        held.push({ response, events });
        changes.emit('change');
      } else {
        accept(response, decision, events);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listener: HttpListener = {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    requests,
    batches,
    get abandoned() {
      return abandoned;
    },
    answer,
    release() {
      for (const { response, events } of held.splice(0)) if (!response.destroyed) accept(response, 200, events);
    },
    events: () => batches.flat(),
    waitFor: (check, what, timeoutMs) => waitUntil(changes, check, what, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return listener;
}

/** A TCP telemetry listener: newline-delimited JSON. */
export interface TcpListener {
  readonly port: number;
  /** Every event, one per line received. */
  readonly events: ReceivedEvent[];
  /** Raw text received. */
  text(): string;
  waitFor(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a TCP telemetry listener on 127.0.0.1 and a free port. */
export async function startTcpListener(): Promise<TcpListener> {
  const changes = new EventEmitter();
  const events: ReceivedEvent[] = [];
  const sockets = new Set<Socket>();
  let text = '';
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) events.push(JSON.parse(line) as ReceivedEvent);
      changes.emit('change');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    events,
    text: () => text,
    waitFor: (check, what, timeoutMs) => waitUntil(changes, check, what, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
