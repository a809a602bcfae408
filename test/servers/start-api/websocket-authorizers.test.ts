import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiEndpoint, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeWebSocketAuthApp } from '../../fixtures/start-api/websocket-auth-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_WEBSOCKET_AUTH_MARKER';
/** Where the functions find `@aws-sdk/client-apigatewaymanagementapi`: this project's node_modules. */
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
const WAIT_MS = 120_000;
const CREDENTIALS = { accessKeyId: 'AKIDLOCALEXAMPLE', secretAccessKey: 'local-secret' };
/** What the user's --env-vars gives the `Pinned` function: it wins over the one cdk-local gives. */
const PINNED_ENDPOINT = 'http://127.0.0.1:1/mine';
/** This machine as a function reaches it: by loopback, or by name from a sandbox with a network of its own. */
const THIS_MACHINE = '(?:127\\.0\\.0\\.1|host\\.cdk-local\\.internal)';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Connects; resolves to the open socket and the frames it gets, or to the status and body of a refused handshake. */
function connect(url: string): Promise<{ socket: WebSocket; frames: string[] } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(String(data)));
    socket.once('open', () => resolve({ socket, frames }));
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    socket.once('error', reject);
  });
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  const deadline = AbortSignal.timeout(WAIT_MS);
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    deadline.throwIfAborted();
    await sleep(20);
  }
}

describe('startApi: WebSocket $connect authorizers and the management endpoint', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  const events: { kind: string; event: Json }[] = [];
  const sockets: WebSocket[] = [];
  const notices: string[] = [];
  const endpoint = (path = 'SocketAuthStack/Guarded'): ApiEndpoint => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return found;
  };
  const eventOf = (kind: string, connectionId: string): Promise<Json> =>
    waitFor(() => events.find((item) => item.kind === kind && item.event['requestContext']?.['connectionId'] === connectionId)?.event);
  const authorizerCalls = (token: string): Json[] => events.filter((item) => item.kind === 'authorizer' && item.event['queryStringParameters']?.['token'] === token).map((item) => item.event);
  const open = async (query: string, path?: string): Promise<{ socket: WebSocket; frames: string[] }> => {
    const result = await connect(`${endpoint(path).url}${query}`);
    assert.ok('socket' in result, `refused: ${JSON.stringify(result)}`);
    sockets.push(result.socket);
    return result;
  };
  const ask = async (client: { socket: WebSocket; frames: string[] }, message: unknown): Promise<Json> => {
    const seen = client.frames.length;
    client.socket.send(JSON.stringify(message));
    return JSON.parse(await waitFor(() => client.frames[seen])) as Json;
  };

  before(async () => {
    app = await createMarkedApp({ prefix: 'cdk-local-websocket-auth-', synthesize: synthesizeWebSocketAuthApp, markerVariable: MARKER_VARIABLE });
    // The default sandbox setting: where it has a network of its own, the endpoint is reached by name.
    local = await app.open({
      credentials: CREDENTIALS,
      projectDirectory: PROJECT,
      onNotice: (message) => notices.push(message),
      envVars: { Parameters: { [MARKER_VARIABLE]: app.marker }, Pinned: { AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: PINNED_ENDPOINT } },
      onLog: (record) => {
        const at = record.text.indexOf('EVENT {');
        if (record.type === 'function' && at >= 0) events.push(JSON.parse(record.text.slice(at + 'EVENT '.length).trim()) as { kind: string; event: Json });
      },
    });
    server = await startApi({ local, onNotice: (message) => notices.push(message) });
  });

  after(async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.allSettled([server?.close(), local?.close()]);
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
    await app?.remove();
  });

  it('tells of no gap for an authorizer it enforces', () => {
    assert.deepEqual(notices.filter((notice) => /enforce|Guarded/.test(notice)), []);
  });

  it('runs the authorizer with the REQUEST event, and passes what it says to $connect, messages and $disconnect', async () => {
    const client = await open('?token=good&x=1');
    const reply = await ask(client, { action: 'hello' });
    const context = reply['requestContext'] as Json;
    const connectionId = context['connectionId'] as string;
    const expected = { team: 'blue', level: '3', principalId: 'user-good' };
    assert.deepEqual({ ...context['authorizer'], integrationLatency: 0 }, { ...expected, integrationLatency: 0 });
    assert.equal(typeof context['authorizer']['integrationLatency'], 'number');

    const authorizerEvent = await waitFor(() => authorizerCalls('good').find((event) => event['requestContext']['connectionId'] === connectionId));
    const api = endpoint().api as { apiId: string };
    assert.equal(authorizerEvent['type'], 'REQUEST');
    assert.equal(authorizerEvent['methodArn'], `arn:aws:execute-api:eu-west-1:111122223333:${api.apiId}/dev/$connect`);
    assert.deepEqual(authorizerEvent['queryStringParameters'], { token: 'good', x: '1' });
    assert.deepEqual(authorizerEvent['multiValueQueryStringParameters'], { token: ['good'], x: ['1'] });
    assert.equal(authorizerEvent['headers']['Upgrade'] ?? authorizerEvent['headers']['upgrade'], 'websocket');
    assert.ok(Array.isArray(Object.values(authorizerEvent['multiValueHeaders'])[0]));
    assert.deepEqual(authorizerEvent['stageVariables'], {});
    assert.equal(authorizerEvent['requestContext']['routeKey'], '$connect');
    assert.equal(authorizerEvent['requestContext']['eventType'], 'CONNECT');
    assert.equal(authorizerEvent['requestContext']['authorizer'], undefined);

    const connectEvent = await eventOf('connect', connectionId);
    assert.deepEqual({ ...connectEvent['requestContext']['authorizer'], integrationLatency: 0 }, { ...expected, integrationLatency: 0 });

    const closed = once(client.socket, 'close');
    client.socket.close(1000);
    await closed;
    const disconnectEvent = await eventOf('disconnect', connectionId);
    assert.deepEqual({ ...disconnectEvent['requestContext']['authorizer'], integrationLatency: 0 }, { ...expected, integrationLatency: 0 });
  });

  it('refuses the handshake with 401 without running the authorizer when the token is missing', async () => {
    const before = events.filter((item) => item.kind === 'authorizer').length;
    assert.deepEqual(await connect(`${endpoint().url}?other=1`), { status: 401, body: '{"message":"Unauthorized"}' });
    assert.deepEqual(await connect(`${endpoint().url}?token=`), { status: 401, body: '{"message":"Unauthorized"}' });
    // Another connection's authorizer runs after these; had they run it, their events would be logged first.
    await open('?token=good&probe=1');
    await waitFor(() => events.find((item) => item.kind === 'authorizer' && item.event['queryStringParameters']?.['probe'] === '1'));
    assert.equal(events.filter((item) => item.kind === 'authorizer').length, before + 1);
  });

  it('refuses the handshake with 403 when the policy denies $connect or does not allow it, after running the authorizer', async () => {
    assert.deepEqual(await connect(`${endpoint().url}?token=deny`), { status: 403, body: '{"message":"Forbidden"}' });
    assert.deepEqual(await connect(`${endpoint().url}?token=nobody`), { status: 403, body: '{"message":"Forbidden"}' });
    // The log may come a moment after the answer.
    await waitFor(() => (authorizerCalls('deny').length === 1 && authorizerCalls('nobody').length === 1 ? true : undefined));
    // $connect itself never ran for them.
    assert.equal(events.filter((item) => item.kind === 'connect' && ['deny', 'nobody'].includes(item.event['queryStringParameters']?.['token'])).length, 0);
  });

  it('gives the functions AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, which a client made without an endpoint reaches', async () => {
    const client = await open('?token=good');
    const reply = await ask(client, { action: 'hello' });
    assert.match(reply['endpoint'] as string, new RegExp(`^http://${THIS_MACHINE}:${endpoint().port}/dev$`));
    client.socket.send(JSON.stringify({ action: 'push', data: 'pushed to you' }));
    await waitFor(() => (client.frames.includes('pushed to you') ? true : undefined));
    // Push's own value, the stage's callback URL, is known only at deploy: the local endpoint replaces it, without a notice.
    assert.deepEqual(notices.filter((notice) => notice.includes('placeholder')), []);
    // Nor is the user told how a sandbox reaches an endpoint cdk-local gave (only one the user set: Pinned's).
    assert.deepEqual(notices.filter((notice) => notice.includes('points at this machine') && !notice.startsWith('SocketAuthStack/Pinned:')), []);
  });

  it("keeps the user's --env-vars value of AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", async () => {
    const client = await open('?token=good');
    const reply = await ask(client, { action: 'pinned' });
    assert.match(reply['endpoint'] as string, new RegExp(`^http://${THIS_MACHINE}:1/mine$`));
  });

  it('takes a $connect with AWS_IAM only when it is signed, and tells every event who signed it', async () => {
    const url = endpoint('SocketAuthStack/Signed').url;
    assert.deepEqual(await connect(url), { status: 403, body: '{"message":"Forbidden"}' });
    const presigned = '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDSIGNER%2F20260101%2Feu-west-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef';
    const client = await open(presigned, 'SocketAuthStack/Signed');
    const reply = await ask(client, { action: 'hello' });
    assert.equal(reply['requestContext']['identity']['accessKey'], 'AKIDSIGNER');
    assert.equal(reply['requestContext']['authorizer'], undefined);
  });
});
