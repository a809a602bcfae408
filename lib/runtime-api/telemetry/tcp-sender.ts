import { connect, type Socket } from 'node:net';
import type { BatchSender, ConnectToSandbox } from './batch-sender.js';

/**
 * Writes each event as one line of newline-delimited JSON on a connection to the
 * subscriber's port, reconnecting when it drops. TCP cannot acknowledge: a batch counts as
 * delivered once written. https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html#telemetry-api-destination
 */
export class TcpBatchSender implements BatchSender {
  readonly #host: string;
  readonly #port: number;
  readonly #connectToSandbox: ConnectToSandbox | undefined;
  #socket: Socket | undefined;
  #closed = false;

  constructor(host: string, port: number, connect?: ConnectToSandbox) {
    this.#host = host;
    this.#port = port;
    this.#connectToSandbox = connect;
  }

  async send(events: readonly string[], signal: AbortSignal): Promise<void> {
    const socket = await this.#connect(signal);
    const data = events.map((event) => `${event}\n`).join('');
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.write(data, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (error === undefined || error === null) resolve();
        else reject(error);
      });
    });
  }

  #connect(signal: AbortSignal): Promise<Socket> {
    const current = this.#socket;
    if (current !== undefined && !current.destroyed && current.writable) return Promise.resolve(current);
    if (this.#closed) return Promise.reject(new Error('The sender is closed'));
    if (this.#connectToSandbox !== undefined) return this.#connectToSandbox(this.#port, signal).then((socket) => this.#keep(socket));
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.#host, port: this.#port, signal });
      const fail = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        try {
          resolve(this.#keep(socket));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }

  /** Keeps a connected socket for the next batches, unless the sender closed meanwhile. */
  #keep(socket: Socket): Socket {
    // Errors after connecting show up in the next write; the listener's own output is ignored.
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    socket.resume();
    if (this.#closed) {
      socket.destroy();
      throw new Error('The sender is closed');
    }
    this.#socket = socket;
    return socket;
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}
