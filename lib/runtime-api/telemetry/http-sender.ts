import { Agent, request } from 'node:http';
import type { BatchSender, ConnectToSandbox, ResolveHost } from './batch-sender.js';

/**
 * Sends each batch as one JSON array in a POST (or, for the Logs API, a PUT) to the
 * subscriber's URI, over one keep-alive connection.
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html#telemetry-api-destination
 */
export class HttpBatchSender implements BatchSender {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #url: URL;
  readonly #method: 'POST' | 'PUT';
  readonly #connectHost: string;

  constructor(url: URL, method: 'POST' | 'PUT', resolveHost: ResolveHost, connect?: ConnectToSandbox) {
    this.#url = url;
    this.#method = method;
    this.#connectHost = resolveHost(url.hostname);
    if (connect !== undefined) {
      const port = Number(url.port);
      this.#agent.createConnection = (_options, created) => {
        connect(port).then(
          (socket) => created?.(null, socket),
          (error: Error) => created?.(error, undefined as never),
        );
        return undefined;
      };
    }
  }

  send(events: readonly string[], signal: AbortSignal): Promise<void> {
    const body = Buffer.from(`[${events.join(',')}]`);
    return new Promise<void>((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#connectHost,
          port: Number(this.#url.port),
          path: `${this.#url.pathname}${this.#url.search}`,
          method: this.#method,
          // The listener sees the host it subscribed with, not the address we connect to.
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Host: this.#url.host },
          agent: this.#agent,
          signal,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          response.once('error', reject);
          response.once('end', () => (status < 400 ? resolve() : reject(new Error(`The telemetry listener answered ${status}`))));
          response.once('close', () => reject(new Error('The telemetry listener closed the connection mid-answer')));
          response.resume();
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
