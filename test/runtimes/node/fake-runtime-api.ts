// A tiny Lambda Runtime API on 127.0.0.1, just enough to drive the Node.js runtime
// client and observe what it sends: /next, /response (buffered or streamed, with
// trailers), /error and /init/error. Plus /test/gate/<name>, which a fixture can call
// to wait until the test lets it go on.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the runtime client made, as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** When it arrived (performance.now()). */
  readonly arrivedAt: number;
  /** The client's port: the same one for every request on one keep-alive socket. */
  readonly remotePort: number;
  /** Body chunks in arrival order. */
  readonly chunks: Buffer[];
  /** When each chunk arrived (performance.now()). */
  readonly chunkTimes: number[];
  trailers: Record<string, string | undefined>;
  /** The whole body has arrived. */
  complete: boolean;
}

/** What the next /next hands out. */
export interface InvocationSpec {
  readonly requestId?: string;
  readonly payload?: string;
  readonly deadlineMs?: number;
  readonly invokedFunctionArn?: string;
  readonly traceId?: string;
  readonly clientContext?: string;
  readonly cognitoIdentity?: string;
  readonly tenantId?: string;
}

const DEFAULT_WAIT_MS = 30_000;

/** Resolves when `probe` finds something, re-checked whenever `emitter` says 'change'. */
export function waitOn<T>(emitter: EventEmitter, probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const value = probe();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off('change', check);
    };
    emitter.on('change', check);
    check();
  });
}

/** The body of a recorded request, as text. */
export function bodyText(request: RecordedRequest): string {
  return Buffer.concat(request.chunks).toString('utf8');
}

export class FakeRuntimeApi {
  readonly requests: RecordedRequest[] = [];
  readonly #changes = new EventEmitter();
  readonly #queue: InvocationSpec[] = [];
  readonly #parked: ServerResponse[] = [];
  readonly #gates = new Map<string, ServerResponse[]>();
  readonly #released = new Map<string, number>();
  readonly #gatesAsked = new Set<string>();
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
    this.#changes.setMaxListeners(0);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.#handle(request, response));
  }

  static async start(): Promise<FakeRuntimeApi> {
    const server = createServer();
    const api = new FakeRuntimeApi(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Queues an invocation for the runtime's next (or pending) /next; returns its request id. */
  enqueue(spec: InvocationSpec = {}): string {
    const requestId = spec.requestId ?? randomUUID();
    this.#queue.push({ ...spec, requestId });
    this.#serveParked();
    return requestId;
  }

  /** Lets fixtures waiting on /test/gate/<name> go on. */
  release(name: string): void {
    this.#released.set(name, performance.now());
    for (const response of this.#gates.get(name) ?? []) response.end('go');
    this.#gates.delete(name);
  }

  /** Resolves once a fixture waits at the gate `name`. */
  waitForGate(name: string): Promise<true> {
    return this.waitFor(() => (this.#gatesAsked.has(name) ? true : undefined), `a request to the gate ${name}`);
  }

  /** When the gate `name` was opened (performance.now()). */
  releasedAt(name: string): number | undefined {
    return this.#released.get(name);
  }

  /** Resolves with `probe()`'s first defined value, re-checked on every request event. */
  waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return waitOn(this.#changes, probe, what, timeoutMs);
  }

  /** The first complete request to `path`. */
  waitForRequest(path: string, what = path): Promise<RecordedRequest> {
    return this.waitFor(() => this.requests.find((request) => request.path === path && request.complete), what);
  }

  /** The complete /response or /error of an invocation. */
  waitForOutcome(requestId: string): Promise<RecordedRequest> {
    const prefix = `/2018-06-01/runtime/invocation/${requestId}/`;
    return this.waitFor(
      () => this.requests.find((request) => request.complete && (request.path === `${prefix}response` || request.path === `${prefix}error`)),
      `the outcome of ${requestId}`,
    );
  }

  /** How many /next requests have arrived. */
  nextCount(): number {
    return this.requests.filter((request) => request.path === '/2018-06-01/runtime/invocation/next').length;
  }

  /** Stops listening and drops every connection, parked /next included. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #changed(): void {
    this.#changes.emit('change');
  }

  #serveParked(): void {
    while (this.#queue.length > 0 && this.#parked.length > 0) {
      const response = this.#parked.shift() as ServerResponse;
      if (response.destroyed) continue;
      this.#sendInvocation(response, this.#queue.shift() as InvocationSpec);
    }
  }

  #sendInvocation(response: ServerResponse, spec: InvocationSpec): void {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': spec.requestId as string,
      'Lambda-Runtime-Deadline-Ms': String(spec.deadlineMs ?? Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn': spec.invokedFunctionArn ?? 'arn:aws:lambda:us-east-1:123456789012:function:fixture',
    };
    if (spec.traceId !== undefined) headers['Lambda-Runtime-Trace-Id'] = spec.traceId;
    if (spec.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = spec.clientContext;
    if (spec.cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = spec.cognitoIdentity;
    if (spec.tenantId !== undefined) headers['Lambda-Runtime-Aws-Tenant-Id'] = spec.tenantId;
    response.writeHead(200, headers);
    response.end(spec.payload ?? '{}');
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '';
    const gate = /^\/test\/gate\/(.+)$/.exec(path);
    if (gate?.[1] !== undefined) {
      this.#gatesAsked.add(gate[1]);
      if (this.#released.has(gate[1])) response.end('go');
      else this.#gates.set(gate[1], [...(this.#gates.get(gate[1]) ?? []), response]);
      this.#changed();
      return;
    }
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path,
      headers: request.headers,
      arrivedAt: performance.now(),
      remotePort: request.socket.remotePort ?? 0,
      chunks: [],
      chunkTimes: [],
      trailers: {},
      complete: false,
    };
    this.requests.push(recorded);
    this.#changed();
    request.on('data', (chunk: Buffer) => {
      recorded.chunks.push(chunk);
      recorded.chunkTimes.push(performance.now());
      this.#changed();
    });
    request.on('end', () => {
      recorded.trailers = { ...request.trailers };
      recorded.complete = true;
      if (path === '/2018-06-01/runtime/invocation/next') {
        const spec = this.#queue.shift();
        if (spec === undefined) this.#parked.push(response);
        else this.#sendInvocation(response, spec);
      } else if (request.method === 'POST' && path.startsWith('/2018-06-01/runtime/')) {
        response.writeHead(202, { 'Content-Type': 'application/json' });
        response.end('{"status":"OK"}');
      } else {
        response.writeHead(404).end();
      }
      this.#changed();
    });
  }
}
