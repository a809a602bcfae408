// A minimal Lambda Runtime API on 127.0.0.1, enough to drive the Python runtime client and
// record what it sends: /next (long-polls until an event is queued), /response, /error, /init/error.
import { EventEmitter, on } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

const PREFIX = '/2018-06-01/runtime';

/** A request the runtime made, as the stub received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Which TCP connection carried it: 1 for the first the stub accepted, and so on. */
  connectionId: number;
}

/** An event for the next `/next`; every field has a realistic default. */
export interface QueuedInvocation {
  requestId?: string;
  /** The payload bytes; a string is sent as UTF-8. @default '{}' */
  body?: string | Buffer;
  /** `null` sends no Content-Type. @default 'application/json' */
  contentType?: string | null;
  /** @default now + 3000 */
  deadlineMs?: number;
  invokedFunctionArn?: string;
  traceId?: string;
  clientContext?: string;
  cognitoIdentity?: string;
  tenantId?: string;
}

/** A custom answer to a request; return undefined for the usual one (an event for /next, 202 for a POST). */
export type Responder = (request: RecordedRequest) => { status: number; body: string } | undefined;

export interface RuntimeApiStubOptions {
  /**
   * Close the connection right after sending an event, as a server does whose keep-alive
   * timeout passes while the handler runs. @default false
   */
  closeConnectionAfterNext?: boolean;
  respondWith?: Responder;
}

export const TEST_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:test-function';

export class RuntimeApiStub {
  readonly requests: RecordedRequest[] = [];
  private readonly events = new EventEmitter();
  private readonly queue: ReadyInvocation[] = [];
  private readonly waitingForNext: ServerResponse[] = [];
  private readonly sockets = new Set<Socket>();
  private connectionCount = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: RuntimeApiStubOptions,
  ) {}

  /** Start listening on 127.0.0.1, on a free port. */
  static async start(options: RuntimeApiStubOptions = {}): Promise<RuntimeApiStub> {
    const server = createServer();
    const stub = new RuntimeApiStub(server, options);
    server.on('connection', (socket) => stub.track(socket));
    server.on('request', (req, res) => stub.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return stub;
  }

  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Queue an event; it goes to the pending `/next` or the next one. Returns its request id. */
  enqueue(invocation: QueuedInvocation = {}): string {
    const requestId = invocation.requestId ?? randomUUID();
    const queued = { ...invocation, requestId };
    const waiting = this.waitingForNext.shift();
    if (waiting) this.sendInvocation(waiting, queued);
    else this.queue.push(queued);
    return requestId;
  }

  /** The first request (already made or still to come) that matches, or an error after `timeoutMs`. */
  async waitForRequest(
    description: string,
    matches: (request: RecordedRequest) => boolean,
    timeoutMs = 30_000,
  ): Promise<RecordedRequest> {
    const seen = this.requests.find(matches);
    if (seen) return seen;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      for await (const [request] of on(this.events, 'request', { signal }) as AsyncIterable<[RecordedRequest]>) {
        if (matches(request)) return request;
      }
    } catch (error) {
      if (signal.aborted) {
        const made = this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
        throw new Error(`No ${description} within ${timeoutMs} ms (requests so far: ${made})`, { cause: error });
      }
      throw error;
    }
    throw new Error('The stub stopped recording requests');
  }

  /** The `/response` or `/error` POST for a request id. */
  waitForResult(requestId: string, timeoutMs?: number): Promise<RecordedRequest> {
    const prefix = `${PREFIX}/invocation/${requestId}/`;
    return this.waitForRequest(
      `result for ${requestId}`,
      (r) => r.method === 'POST' && (r.path === `${prefix}response` || r.path === `${prefix}error`),
      timeoutMs,
    );
  }

  /** The `/init/error` POST. */
  waitForInitError(timeoutMs?: number): Promise<RecordedRequest> {
    return this.waitForRequest('POST /init/error', (r) => r.method === 'POST' && r.path === `${PREFIX}/init/error`, timeoutMs);
  }

  /** Resolves once the runtime has called `/next` `count` times in all. */
  waitForNextCalls(count: number, timeoutMs?: number): Promise<RecordedRequest> {
    return this.waitForRequest(
      `GET /next number ${count}`,
      () => this.requests.filter((r) => r.method === 'GET' && r.path === `${PREFIX}/invocation/next`).length >= count,
      timeoutMs,
    );
  }

  /** Stop: drop pending long polls, close every connection and the listener. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const waiting of this.waitingForNext.splice(0)) waiting.destroy();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private track(socket: Socket): void {
    this.connectionCount += 1;
    connectionIds.set(socket, this.connectionCount);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        connectionId: connectionIds.get(req.socket) ?? 0,
      };
      this.requests.push(request);
      this.respond(request, res);
      this.events.emit('request', request);
    });
  }

  private respond(request: RecordedRequest, res: ServerResponse): void {
    const custom = this.options.respondWith?.(request);
    if (custom) {
      res.writeHead(custom.status, { 'Content-Type': 'application/json' }).end(custom.body);
      return;
    }
    if (request.method === 'GET' && request.path === `${PREFIX}/invocation/next`) {
      const queued = this.queue.shift();
      if (queued) {
        this.sendInvocation(res, queued);
      } else {
        this.waitingForNext.push(res);
        res.once('close', () => {
          const index = this.waitingForNext.indexOf(res);
          if (index >= 0) this.waitingForNext.splice(index, 1);
        });
      }
      return;
    }
    const isPost =
      request.method === 'POST' &&
      (request.path === `${PREFIX}/init/error` || /^\/2018-06-01\/runtime\/invocation\/[^/]+\/(response|error)$/.test(request.path));
    if (!isPost) {
      sendJson(res, 404, { errorMessage: `No route ${request.method} ${request.path}`, errorType: 'NotFound' });
      return;
    }
    sendJson(res, 202, { status: 'OK' });
  }

  private sendInvocation(res: ServerResponse, invocation: ReadyInvocation): void {
    const body = invocation.body ?? '{}';
    const headers: Record<string, string> = {
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs ?? Date.now() + 3000),
      'Lambda-Runtime-Invoked-Function-Arn': invocation.invokedFunctionArn ?? TEST_FUNCTION_ARN,
    };
    const contentType = invocation.contentType === undefined ? 'application/json' : invocation.contentType;
    if (contentType !== null) headers['Content-Type'] = contentType;
    if (invocation.traceId) headers['Lambda-Runtime-Trace-Id'] = invocation.traceId;
    if (invocation.clientContext) headers['Lambda-Runtime-Client-Context'] = invocation.clientContext;
    if (invocation.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = invocation.cognitoIdentity;
    if (invocation.tenantId) headers['Lambda-Runtime-Aws-Tenant-Id'] = invocation.tenantId;
    // res.socket is detached once the response has finished, so hold on to it.
    const socket = res.socket;
    res.writeHead(200, headers).end(body);
    if (this.options.closeConnectionAfterNext) res.once('finish', () => socket?.destroy());
  }
}

type ReadyInvocation = QueuedInvocation & { requestId: string };

const connectionIds = new WeakMap<Socket, number>();

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
