// A DevTools protocol client for the tests of --debug-port: what VS Code and Chrome speak to
// the Node.js inspector.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

/** A port that was free a moment ago: the debugger needs a fixed one, known before the run. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The inspector's WebSocket address, once it listens (polled: the runtime starts it when it gets there). */
export async function debuggerUrl(port: number, signal: AbortSignal): Promise<string> {
  for (;;) {
    signal.throwIfAborted();
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal })).json()) as { webSocketDebuggerUrl: string }[];
      if (targets[0] !== undefined) return targets[0].webSocketDebuggerUrl;
    } catch (error) {
      if (signal.aborted) throw error;
    }
    await sleep(100, undefined, { signal });
  }
}

/** A small DevTools protocol client: commands with answers, and a wait for one event. */
export class DevTools {
  #nextId = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #waiters: { method: string; resolve: (params: unknown) => void }[] = [];
  /** The URL of every script parsed, by id: a paused call frame names its script by id only. */
  readonly scripts = new Map<string, string>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown; method?: string; params?: unknown };
      if (message.id !== undefined) {
        this.#pending.get(message.id)?.(message.error === undefined ? message.result : { error: message.error });
        this.#pending.delete(message.id);
      } else if (message.method !== undefined) {
        if (message.method === 'Debugger.scriptParsed') {
          const script = message.params as { scriptId: string; url: string };
          this.scripts.set(script.scriptId, script.url);
        }
        const index = this.#waiters.findIndex((waiter) => waiter.method === message.method);
        if (index !== -1) this.#waiters.splice(index, 1)[0]!.resolve(message.params);
      }
    });
  }

  static async connect(url: string): Promise<DevTools> {
    const socket = new WebSocket(url);
    await once(socket, 'open');
    return new DevTools(socket);
  }

  send(method: string, params: object = {}): Promise<unknown> {
    const id = this.#nextId++;
    const answered = new Promise<unknown>((resolve) => this.#pending.set(id, resolve));
    this.socket.send(JSON.stringify({ id, method, params }));
    return answered;
  }

  /** The next event `method`; ask before causing it. */
  next<T>(method: string): Promise<T> {
    return new Promise((resolve) => this.#waiters.push({ method, resolve: resolve as (params: unknown) => void }));
  }
}

