import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAssembly, type Assembly, type WebSocketApiSpec } from '../../lib/assembly/index.js';
import { synthesizeWebSocketApp } from '../fixtures/start-api/websocket-app.js';

describe('readAssembly: WebSocket APIs', () => {
  let root: string;
  let assembly: Assembly;
  const api = (path: string): WebSocketApiSpec => {
    const found = assembly.apis.find((item): item is WebSocketApiSpec => item.kind === 'websocket' && item.constructPath === path);
    assert.ok(found, `no WebSocket API ${path}`);
    return found;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-websocket-'));
    synthesizeWebSocketApp(join(root, 'cdk.out'));
    assembly = await readAssembly(join(root, 'cdk.out'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads each route with its function, whether it has a route response, and the 29 s integration timeout', () => {
    const chat = api('SocketStack/Chat');
    assert.equal(chat.routeSelectionExpression, '$request.body.action');
    assert.deepEqual(chat.stages, [{ stageName: 'dev', variables: {} }]);
    assert.deepEqual(
      chat.routes.map((route) => `${route.routeKey} ${route.returnsResponse ? 'two-way' : 'one-way'} ${route.authorizationType} ${route.integration.kind === 'lambda-proxy' ? `${route.integration.function.constructPath} ${route.integration.timeoutMs}` : route.integration.kind}`),
      [
        '$connect one-way NONE SocketStack/Connect 29000',
        '$disconnect one-way NONE SocketStack/Disconnect 29000',
        '$default two-way NONE SocketStack/Reply 29000',
        'echo two-way NONE SocketStack/Reply 29000',
        'quiet one-way NONE SocketStack/Reply 29000',
        'fail one-way NONE SocketStack/Fail 29000',
        'broadcast two-way NONE SocketStack/Broadcast 29000',
      ],
    );
    assert.equal(api('SocketStack/Bare').routeSelectionExpression, '${request.body.kind}');
  });
});
