// How a CDK developer tests their APIs with cdk-local: serve the stack's REST API, HTTP API,
// WebSocket API and function URLs on local ports, and call them as a browser or client would.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import WebSocket from 'ws';
import { LocalLambda, startApi } from '../../lib/index.js';
import { DemoStack } from '../lib/demo-stack.js';

test('DemoStack APIs answer locally', async (t) => {
  const app = new App();
  const stack = new DemoStack(app, 'DemoStack');
  await using local = await LocalLambda.fromStack(stack);
  await using server = await startApi({ local });
  const url = (path: string): string => {
    const endpoint = server.endpoints.find((item) => item.path === path);
    assert.ok(endpoint, `${path} not in ${server.endpoints.map((item) => item.path).join(', ')}`);
    return endpoint.url;
  };

  await t.test('the REST API answers at its stage', async () => {
    assert.match(url('DemoStack/RestApi'), /\/dev\/$/);
    const response = await fetch(`${url('DemoStack/RestApi')}items/42`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { message: 'Hello, 42!', route: 'GET /items/{id}', stage: 'dev', pathParameters: { id: '42' } });
    const missing = await fetch(`${url('DemoStack/RestApi')}nothing`);
    assert.equal(missing.status, 403);
  });

  await t.test('the REST API answers CORS preflights itself', async () => {
    const response = await fetch(`${url('DemoStack/RestApi')}items/42`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPUT\b/);
  });

  await t.test('the HTTP API answers at its $default stage', async () => {
    const response = await fetch(`${url('DemoStack/HttpApi')}hello?name=cdk`);
    assert.deepEqual(await response.json(), { message: 'Hello, cdk!', route: 'GET /hello', stage: '$default', pathParameters: null });
    assert.equal((await fetch(`${url('DemoStack/HttpApi')}nothing`)).status, 404);
  });

  await t.test('the function URL streams its lines', async () => {
    const response = await fetch(`${url('DemoStack/Ticker/FunctionUrl')}?count=3`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'tick 1\ntick 2\ntick 3\n');
  });

  await t.test('the WebSocket API answers the sender', async () => {
    assert.match(url('DemoStack/Chat'), /^ws:\/\/127\.0\.0\.1:\d+\/dev$/);
    const socket = new WebSocket(url('DemoStack/Chat'));
    try {
      await once(socket, 'open'); // after $connect has accepted the connection
      const answer = once(socket, 'message');
      socket.send(JSON.stringify({ action: 'sendmessage', message: 'hi' }));
      const [data] = (await answer) as [Buffer];
      const reply = JSON.parse(data.toString()) as { from: string; message: string };
      assert.equal(reply.message, 'hi');
      assert.match(reply.from, /^[\w-]+=$/); // the sender's connection id
    } finally {
      if (socket.readyState !== WebSocket.CLOSED) {
        const closed = once(socket, 'close');
        socket.close();
        await closed;
      }
    }
  });
});
