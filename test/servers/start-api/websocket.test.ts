import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiEndpoint, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeWebSocketApp } from '../../fixtures/start-api/websocket-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_WEBSOCKET_MARKER';
/** Where the functions find `@aws-sdk/client-apigatewaymanagementapi`: this project's node_modules. */
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
const WAIT_MS = 120_000;
const CREDENTIALS = { accessKeyId: 'AKIDLOCALEXAMPLE', secretAccessKey: 'local-secret' };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A connected client that keeps every frame it gets, to be awaited in order. */
class Client {
  readonly frames: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = once(socket, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  }

  /** The next frame not yet taken. */
  async next(): Promise<string> {
    const deadline = AbortSignal.timeout(WAIT_MS);
    while (this.frames.length === 0) {
      deadline.throwIfAborted();
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.frames.shift()!;
  }

  async nextJson(): Promise<Json> {
    return JSON.parse(await this.next()) as Json;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Its connection ID, as a two-way route's function sees it. */
  async connectionId(): Promise<string> {
    this.send({ action: 'echo' });
    return (await this.nextJson())['connectionId'] as string;
  }
}

/** Connects; resolves to the client, or to the status and body of a refused handshake. */
function connect(url: string, protocols?: string[]): Promise<Client | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    socket.once('open', () => resolve(new Client(socket)));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    socket.once('error', reject);
  });
}

async function connected(url: string): Promise<Client> {
  const client = await connect(url);
  assert.ok(client instanceof Client, `refused: ${JSON.stringify(client)}`);
  return client;
}

async function waitForFile(path: string): Promise<Json> {
  const deadline = AbortSignal.timeout(WAIT_MS);
  while (!existsSync(path)) {
    deadline.throwIfAborted();
    await sleep(20);
  }
  // Written whole by one writeFile; read until it parses, in case it is read mid-write.
  for (;;) {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Json;
    } catch (error) {
      deadline.throwIfAborted();
      if (!(error instanceof SyntaxError)) throw error;
      await sleep(20);
    }
  }
}

describe('startApi: WebSocket APIs', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  let signals: string;
  const clients: Client[] = [];
  const notices: string[] = [];
  const endpoint = (path: string): ApiEndpoint => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return found;
  };
  const open = async (path: string, query = ''): Promise<Client> => {
    const client = await connected(`${endpoint(path).url}${query}`);
    clients.push(client);
    return client;
  };
  const signal = (name: string): string => join(signals, `${name}.json`);

  before(async () => {
    signals = await mkdtemp(join(tmpdir(), 'cdk-local-websocket-signals-'));
    app = await createMarkedApp({ prefix: 'cdk-local-websocket-', synthesize: synthesizeWebSocketApp, markerVariable: MARKER_VARIABLE });
    local = await app.open({
      credentials: CREDENTIALS,
      sandbox: false,
      projectDirectory: PROJECT,
      envVars: { Parameters: { [MARKER_VARIABLE]: app.marker, WS_SIGNALS: signals } },
    });
    server = await startApi({ local, onNotice: (message) => notices.push(message) });
  });

  // Each test's clients leave when it ends: a function's concurrency (10) bounds the $disconnects at once.
  afterEach(async () => {
    const leaving = clients.splice(0);
    for (const client of leaving) client.socket.close(1000);
    await Promise.all(leaving.map((client) => client.closed));
  });

  after(async () => {
    for (const client of clients) client.socket.terminate();
    await Promise.allSettled([server?.close(), local?.close()]);
    await app?.remove();
    await rm(signals, { recursive: true, force: true });
  });

  it('serves each WebSocket API on its own port at ws:// with its stage as the path', () => {
    assert.deepEqual(
      server.endpoints.map((item) => `${item.kind} ${item.path} ${item.url.replace(/:\d+\//, ':PORT/')}`),
      ['WebSocket API SocketStack/Chat ws://127.0.0.1:PORT/dev', 'WebSocket API SocketStack/Bare ws://127.0.0.1:PORT/live'],
    );
    assert.deepEqual(notices, []);
  });

  it('invokes $connect with the connect event, and accepts the connection when it answers 200', async () => {
    const client = await open('SocketStack/Chat', '?name=ada&name=grace&team=x');
    const id = await client.connectionId();
    const event = await waitForFile(signal(`connect-${id}`));
    const { port } = endpoint('SocketStack/Chat');
    const context = event['requestContext'] as Json;
    assert.equal(context['routeKey'], '$connect');
    assert.equal(context['eventType'], 'CONNECT');
    assert.equal(context['messageDirection'], 'IN');
    assert.equal(context['connectionId'], id);
    assert.equal(context['stage'], 'dev');
    assert.equal(context['domainName'], `127.0.0.1:${port}`);
    assert.equal(context['apiId'], endpoint('SocketStack/Chat').api.kind === 'websocket' ? (endpoint('SocketStack/Chat').api as { apiId: string }).apiId : undefined);
    assert.equal(context['identity'].sourceIp, '127.0.0.1');
    assert.equal(typeof context['connectedAt'], 'number');
    assert.equal(typeof context['requestTimeEpoch'], 'number');
    assert.match(context['requestTime'], /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    assert.match(context['requestId'], /^[\w-]{15}=$/);
    assert.equal(context['extendedRequestId'], context['requestId']);
    assert.match(id, /^[\w-]{15}=$/);
    assert.deepEqual(event['queryStringParameters'], { name: 'grace', team: 'x' });
    assert.deepEqual(event['multiValueQueryStringParameters'], { name: ['ada', 'grace'], team: ['x'] });
    const headers = event['headers'] as Record<string, string>;
    assert.equal(headers['Host'], `127.0.0.1:${port}`);
    assert.ok(headers['Sec-WebSocket-Key'] !== undefined, JSON.stringify(headers));
    assert.equal(headers['Sec-WebSocket-Version'], '13');
    assert.equal(headers['X-Forwarded-Port'], String(port));
    assert.equal(headers['Upgrade'], undefined);
    assert.deepEqual(event['multiValueHeaders']['Sec-WebSocket-Version'], ['13']);
    assert.equal(event['isBase64Encoded'], false);
  });

  it('refuses the handshake with the status $connect answers, and with 502 when it fails', async () => {
    assert.deepEqual(await connect(`${endpoint('SocketStack/Chat').url}?reject=401`), { status: 401, body: 'not you' });
    const failed = await connect(`${endpoint('SocketStack/Chat').url}?throw=1`);
    assert.ok(!(failed instanceof Client));
    assert.equal(failed.status, 502);
    const wrongStage = await connect(`ws://127.0.0.1:${endpoint('SocketStack/Chat').port}/prod`);
    assert.ok(!(wrongStage instanceof Client));
    assert.equal(wrongStage.status, 403);
  });

  it('answers the handshake with the subprotocol $connect chose, and with none when it chose none', async () => {
    const chat = await connect(endpoint('SocketStack/Chat').url, ['chat', 'other']);
    assert.ok(chat instanceof Client);
    clients.push(chat);
    assert.equal(chat.socket.protocol, 'chat');
    // A client that asked for subprotocols and got none gives up, as with the service.
    await assert.rejects(connect(endpoint('SocketStack/Chat').url, ['other']), /Server sent no subprotocol/);
  });

  it('routes a message by the route selection expression, and sends a two-way route’s answer back', async () => {
    const client = await open('SocketStack/Chat');
    client.send({ action: 'echo', text: 'hello' });
    const reply = await client.nextJson();
    assert.equal(reply['routeKey'], 'echo');
    assert.equal(reply['body'], '{"action":"echo","text":"hello"}');
    assert.equal(reply['isBase64Encoded'], false);
    const event = await waitForFile(signal(`message-echo-${reply['connectionId']}`));
    const context = event['requestContext'] as Json;
    assert.equal(context['eventType'], 'MESSAGE');
    assert.equal(context['routeKey'], 'echo');
    assert.equal(context['messageDirection'], 'IN');
    assert.match(context['messageId'], /^[\w-]{15}=$/);
    assert.equal(context['stage'], 'dev');
    assert.equal(event['body'], '{"action":"echo","text":"hello"}');
    assert.equal(event['headers'], undefined);
  });

  it('sends what no route matches, and what is not JSON, to $default', async () => {
    const client = await open('SocketStack/Chat');
    client.send({ action: 'nosuch' });
    assert.equal((await client.nextJson())['routeKey'], '$default');
    client.send('plain text');
    const plain = await client.nextJson();
    assert.deepEqual([plain['routeKey'], plain['body']], ['$default', 'plain text']);
    client.socket.send(Buffer.from([0, 1, 2, 255]));
    const binary = await client.nextJson();
    assert.deepEqual([binary['routeKey'], binary['body'], binary['isBase64Encoded']], ['$default', 'AAEC/w==', true]);
  });

  it('sends nothing back from a one-way route', async () => {
    const client = await open('SocketStack/Chat');
    const id = await client.connectionId();
    client.send({ action: 'quiet' });
    await waitForFile(signal(`message-quiet-${id}`));
    client.send({ action: 'echo', after: 'quiet' });
    const next = await client.nextJson();
    assert.equal(next['routeKey'], 'echo', 'the one-way route answered the client');
  });

  it('tells the client of a function that throws with the service’s error frame', async () => {
    const client = await open('SocketStack/Chat');
    const id = await client.connectionId();
    client.send({ action: 'fail' });
    const frame = await client.next();
    assert.match(frame, /^\{"message": "Internal server error", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/);
    assert.equal((JSON.parse(frame) as Json)['connectionId'], id);
    // The connection stays open.
    assert.equal((await client.connectionId()), id);
  });

  it('lets a function post to other connections and get its own through @connections, with the AWS SDK', async () => {
    const sender = await open('SocketStack/Chat');
    const listener = await open('SocketStack/Chat');
    const [senderId, listenerId] = [await sender.connectionId(), await listener.connectionId()];
    sender.send({ action: 'broadcast', to: [listenerId, 'AAAAAAAAAAAAAAA='], data: 'hello, everyone', get: senderId });
    assert.equal(await listener.next(), 'hello, everyone');
    const results = JSON.parse(await sender.next()) as [string, string, Json];
    assert.equal(results[0], 'sent');
    assert.equal(results[1], 'GoneException 410');
    assert.equal(results[2]['sourceIp'], '127.0.0.1');
    assert.ok(Date.parse(results[2]['lastActiveAt'] as string) >= Date.parse(results[2]['connectedAt'] as string));
  });

  it('closes a connection on DeleteConnection and invokes $disconnect', async () => {
    const deleter = await open('SocketStack/Chat');
    const doomed = await open('SocketStack/Chat');
    const doomedId = await doomed.connectionId();
    deleter.send({ action: 'broadcast', delete: doomedId });
    assert.deepEqual(await deleter.nextJson(), ['deleted']);
    assert.equal((await doomed.closed).code, 1000);
    const event = await waitForFile(signal(`disconnect-${doomedId}`));
    assert.equal(event['requestContext']['eventType'], 'DISCONNECT');
    assert.equal(event['requestContext']['routeKey'], '$disconnect');
    assert.equal(event['requestContext']['disconnectStatusCode'], 1000);
  });

  it('invokes $disconnect when the client closes, with its close code and reason', async () => {
    const polite = await open('SocketStack/Chat');
    const politeId = await polite.connectionId();
    polite.socket.close(4000, 'bye now');
    const told = await waitForFile(signal(`disconnect-${politeId}`));
    assert.equal(told['requestContext']['disconnectStatusCode'], 4000);
    assert.equal(told['requestContext']['disconnectReason'], 'bye now');
    assert.equal(told['requestContext']['connectionId'], politeId);
    const terse = await open('SocketStack/Chat');
    const terseId = await terse.connectionId();
    terse.socket.close();
    const untold = await waitForFile(signal(`disconnect-${terseId}`));
    assert.equal(untold['requestContext']['disconnectStatusCode'], 1005);
    assert.equal(untold['requestContext']['disconnectReason'], 'Client-side close frame status not set');
  });

  it('accepts connections without a $connect route, and answers a message no route takes with Forbidden', async () => {
    const client = await open('SocketStack/Bare');
    client.send({ kind: 'ping' });
    const pong = await client.nextJson();
    assert.equal(pong['routeKey'], 'ping');
    client.send({ kind: 'pong' });
    const frame = await client.next();
    assert.match(frame, /^\{"message": "Forbidden", "connectionId":"[\w-]{15}=", "requestId":"[\w-]{15}="\}$/);
    assert.equal((JSON.parse(frame) as Json)['connectionId'], pong['connectionId']);
  });

  it('closes a connection whose message is over 128 KB with 1009', async () => {
    const client = await open('SocketStack/Bare');
    client.send('x'.repeat(128 * 1024 + 1));
    assert.equal((await client.closed).code, 1009);
  });

  it('serves @connections over HTTP: signed requests only, 410 for unknown connections', async () => {
    const client = await open('SocketStack/Chat');
    const id = await client.connectionId();
    const base = `http://127.0.0.1:${endpoint('SocketStack/Chat').port}/dev`;
    const unsigned = await fetch(`${base}/@connections/${encodeURIComponent(id)}`);
    assert.equal(unsigned.status, 403);
    const sdk = new ApiGatewayManagementApiClient({ endpoint: base, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const got = await sdk.send(new GetConnectionCommand({ ConnectionId: id }));
      assert.equal(got.Identity?.SourceIp, '127.0.0.1');
      await sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'straight from the SDK' }));
      assert.equal(await client.next(), 'straight from the SDK');
      await assert.rejects(sdk.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' })), { name: 'GoneException' });
    } finally {
      sdk.destroy();
    }
  });

  it('closes idle connections with 1001 and invokes $disconnect', async () => {
    const short = await startApi({ local, apis: [endpoint('SocketStack/Chat').api], webSocket: { idleTimeoutMs: 200 } });
    try {
      const client = await connected(short.endpoints[0]!.url);
      clients.push(client);
      const id = await client.connectionId();
      assert.equal((await client.closed).code, 1001);
      const event = await waitForFile(signal(`disconnect-${id}`));
      assert.deepEqual([event['requestContext']['disconnectStatusCode'], event['requestContext']['disconnectReason']], [1001, 'Going away']);
    } finally {
      await short.close();
    }
  });

  it('closes its connections, with $disconnect, when closed, and leaves no process behind', async () => {
    const client = await open('SocketStack/Chat');
    const id = await client.connectionId();
    await server.close();
    await server.close();
    assert.equal((await client.closed).code, 1001);
    const event = await waitForFile(signal(`disconnect-${id}`));
    assert.equal(event['requestContext']['disconnectStatusCode'], 1001);
    await local.close();
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
    await assert.rejects(fetch(`http://127.0.0.1:${endpoint('SocketStack/Chat').port}/dev/@connections/x`));
  });
});
