import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildRuntimeApi, RuntimeChannel, startRuntimeApiServer, type Invocation, type RuntimeApiServerOptions } from '../../lib/runtime-api/index.js';

const PREFIX = '/2018-06-01/runtime';

function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return {
    requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    payload: Buffer.from('{"a": 1,  "spaced": true}'),
    deadlineMs: Date.now() + 3000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    traceId: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
    ...overrides,
  };
}

/** A live Runtime API whose runtime has taken one invocation with `/next`. */
async function startWithInvocation(options: Partial<RuntimeApiServerOptions> = {}) {
  const channel = new RuntimeChannel();
  void channel.expectInit();
  const server = await startRuntimeApiServer({ channel, ...options });
  const pending = channel.invoke(invocation());
  await fetch(`http://${server.address}${PREFIX}/invocation/next`).then((r) => r.arrayBuffer());
  return { channel, server, pending };
}

async function setUp(): Promise<{ app: FastifyInstance; channel: RuntimeChannel }> {
  const channel = new RuntimeChannel();
  void channel.expectInit();
  const app = await buildRuntimeApi({ channel });
  return { app, channel };
}

describe('Runtime API routes', () => {
  it('A.1 answers an unknown route with 404 and a JSON error body', async () => {
    const { app } = await setUp();
    const response = await app.inject({ method: 'GET', url: '/2018-06-01/runtime/nothing' });
    assert.equal(response.statusCode, 404);
    assert.equal(typeof response.json().errorType, 'string');
    const restore = await app.inject({ method: 'GET', url: `${PREFIX}/restore/next` });
    assert.equal(restore.statusCode, 404, 'F.31 restore routes exist only for SnapStart');
    await app.close();
  });

  it('B.6 B.7 /next hands out the payload bytes verbatim with every header', async () => {
    const { app, channel } = await setUp();
    const next = app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    await new Promise((resolve) => setImmediate(resolve));
    channel.invoke(invocation({ clientContext: '{"custom":{"k":"v"}}', cognitoIdentity: '{"cognitoIdentityId":"id"}' }));
    const response = await next;
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '{"a": 1,  "spaced": true}');
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(response.headers['lambda-runtime-aws-request-id'], '8476a536-e9f4-11e8-9739-2dfe598c3fcd');
    assert.match(String(response.headers['lambda-runtime-deadline-ms']), /^\d{13}$/);
    assert.equal(response.headers['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:us-east-1:123456789012:function:fn');
    assert.match(String(response.headers['lambda-runtime-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    assert.equal(response.headers['lambda-runtime-client-context'], '{"custom":{"k":"v"}}');
    assert.equal(response.headers['lambda-runtime-cognito-identity'], '{"cognitoIdentityId":"id"}');
    assert.equal(response.headers['lambda-runtime-aws-tenant-id'], undefined, 'empty headers are not sent');
    await app.close();
  });

  it('B.9 a second /next during an invocation returns the same invocation', async () => {
    const { app, channel } = await setUp();
    channel.invoke(invocation());
    const first = await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const second = await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    assert.equal(first.headers['lambda-runtime-aws-request-id'], second.headers['lambda-runtime-aws-request-id']);
    assert.equal(second.body, first.body);
    await app.close();
  });

  it('C.12 C.13 C.14 /response: unknown id 400, first post 202 with bytes and type verbatim, second post 403', async () => {
    const { app, channel } = await setUp();
    const pending = channel.invoke(invocation());
    await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const wrong = await app.inject({ method: 'POST', url: `${PREFIX}/invocation/not-the-id/response`, payload: '1' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(wrong.json(), { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    assert.equal(wrong.headers['content-type'], 'application/json; charset=utf-8');

    const binary = Buffer.from([0, 1, 2, 255, 254]);
    const ok = await app.inject({
      method: 'POST',
      url: `${PREFIX}/invocation/${invocation().requestId}/response`,
      payload: binary,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(ok.statusCode, 202);
    assert.deepEqual(ok.json(), { status: 'OK' });
    const response = await pending.response;
    assert.ok(response.kind === 'buffered');
    assert.deepEqual(response.body, binary);
    assert.equal(response.contentType, 'application/octet-stream');

    const again = await app.inject({ method: 'POST', url: `${PREFIX}/invocation/${invocation().requestId}/response`, payload: '2' });
    assert.equal(again.statusCode, 403);
    assert.equal(again.json().errorType, 'InvalidStateTransition');
    await app.close();
  });

  it('A.3 accepts a response with no Content-Type at all (as Rust sends) and defaults it to JSON', async () => {
    const { server, pending } = await startWithInvocation();
    await using _ = server;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: `${PREFIX}/invocation/${invocation().requestId}/response`, headers: { 'content-length': '4' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('true');
    });
    assert.equal(status, 202);
    const response = await pending.response;
    assert.ok(response.kind === 'buffered');
    assert.equal(response.contentType, 'application/json');
    assert.equal(response.body.toString(), 'true');
  });

  it('A.3 C.18 a chunked response with Go-style error trailers is a function error with the decoded body', async () => {
    const { server, pending } = await startWithInvocation();
    await using _ = server;
    const errorDocument = JSON.stringify({ errorMessage: 'boom', errorType: 'errorString' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: `${PREFIX}/invocation/${invocation().requestId}/response`,
          headers: { 'transfer-encoding': 'chunked', trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('partial');
      req.addTrailers({
        'Lambda-Runtime-Function-Error-Type': 'errorString',
        'Lambda-Runtime-Function-Error-Body': Buffer.from(errorDocument).toString('base64'),
      });
      req.end();
    });
    assert.equal(status, 202);
    const response = await pending.response;
    assert.ok(response.kind === 'error');
    assert.equal(response.errorType, 'errorString');
    assert.equal(response.body.toString(), errorDocument);
  });

  it('C.15 a response over 6,291,556 bytes gets 413 RequestEntityTooLarge; the caller gets too-large', async () => {
    const { app, channel } = await setUp();
    const pending = channel.invoke(invocation());
    await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const response = await app.inject({
      method: 'POST',
      url: `${PREFIX}/invocation/${invocation().requestId}/response`,
      payload: Buffer.alloc(6_291_557, 0x61),
    });
    assert.equal(response.statusCode, 413);
    assert.deepEqual(response.json(), {
      errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'RequestEntityTooLarge',
    });
    const outcome = await pending.response;
    assert.deepEqual(outcome, { kind: 'too-large', sizeBytes: 6_291_557 });
    await app.close();
  });

  it('C.17 a response mode other than streaming is 400 InvalidFunctionResponseMode', async () => {
    const { app, channel } = await setUp();
    channel.invoke(invocation());
    await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const response = await app.inject({
      method: 'POST',
      url: `${PREFIX}/invocation/${invocation().requestId}/response`,
      headers: { 'lambda-runtime-function-response-mode': 'buffered' },
      payload: '{}',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().errorType, 'InvalidFunctionResponseMode');
    await app.close();
  });

  it('E.25 E.26 E.27 /error passes any body through, with or without an error type header', async () => {
    const { app, channel } = await setUp();
    const pending = channel.invoke(invocation());
    await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const body = '{"errorType":"TypeError","errorMessage":"x is not a function","trace":["TypeError: x"]}';
    const response = await app.inject({
      method: 'POST',
      url: `${PREFIX}/invocation/${invocation().requestId}/error`,
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 202);
    const outcome = await pending.response;
    assert.ok(outcome.kind === 'error');
    assert.equal(outcome.errorType, undefined);
    assert.equal(outcome.body.toString(), body);

    const channel2 = new RuntimeChannel();
    void channel2.expectInit();
    const app2 = await buildRuntimeApi({ channel: channel2 });
    const pending2 = channel2.invoke(invocation());
    await app2.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    await app2.inject({
      method: 'POST',
      url: `${PREFIX}/invocation/${invocation().requestId}/error`,
      payload: 'not json',
      headers: { 'content-type': 'application/vnd.aws.lambda.error.cause+json', 'lambda-runtime-function-error-type': 'Function.Custom' },
    });
    const outcome2 = await pending2.response;
    assert.ok(outcome2.kind === 'error');
    assert.equal(outcome2.errorType, 'Function.Custom');
    assert.equal(JSON.parse(outcome2.body.toString()).errorMessage, 'Invalid error body');
    await app.close();
    await app2.close();
  });

  it('F.30 B.10 init/error is accepted once before the first /next, then /next is 403', async () => {
    const channel = new RuntimeChannel();
    const init = channel.expectInit();
    const app = await buildRuntimeApi({ channel });
    const response = await app.inject({
      method: 'POST',
      url: `${PREFIX}/init/error`,
      payload: '{"errorMessage":"Cannot find module","errorType":"Runtime.ImportModuleError"}',
      headers: { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' },
    });
    assert.equal(response.statusCode, 202);
    const outcome = await init;
    assert.ok(outcome.kind === 'error');
    assert.equal(outcome.errorType, 'Runtime.ImportModuleError');
    const next = await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    assert.equal(next.statusCode, 403);
    assert.equal(next.json().errorType, 'InvalidStateTransition');
    const again = await app.inject({ method: 'POST', url: `${PREFIX}/init/error`, payload: '{}' });
    assert.equal(again.statusCode, 403);
    await app.close();
  });

  it('F.30 init/error after the first /next is 403', async () => {
    const { app, channel } = await setUp();
    channel.invoke(invocation());
    await app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
    const response = await app.inject({ method: 'POST', url: `${PREFIX}/init/error`, payload: '{}' });
    assert.equal(response.statusCode, 403);
    await app.close();
  });

  it('D.19 D.20 D.22 a streamed response reaches the caller chunk by chunk and carries a trailer error', async () => {
    const { server, pending } = await startWithInvocation();
    await using _ = server;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `${PREFIX}/invocation/${invocation().requestId}/response`,
      headers: {
        'lambda-runtime-function-response-mode': 'streaming',
        'transfer-encoding': 'chunked',
        'content-type': 'application/vnd.awslambda.http-integration-response',
        trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    });
    const status = new Promise<number>((resolve) => req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }));
    req.write('first chunk');
    const response = await pending.response;
    assert.ok(response.kind === 'streaming');
    assert.equal(response.contentType, 'application/vnd.awslambda.http-integration-response');
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(String(first.value), 'first chunk', 'the first chunk arrives before the request ends');
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': 'Function.Stream',
      'Lambda-Runtime-Function-Error-Body': Buffer.from('{"errorType":"Function.Stream","errorMessage":"mid-stream"}').toString('base64'),
    });
    req.end('second');
    const rest: string[] = [];
    for (let item = await iterator.next(); !item.done; item = await iterator.next()) rest.push(String(item.value));
    assert.equal(rest.join(''), 'second');
    const completion = await response.completion;
    assert.equal(completion.truncated, false);
    assert.equal(completion.producedBytes, 'first chunk'.length + 'second'.length);
    assert.equal(completion.error?.errorType, 'Function.Stream');
    assert.equal(await status, 202);
  });
});

describe('Runtime API over a real socket', () => {
  it('C.16 a response body cut short is TruncatedHTTPRequest; the caller gets truncated', async () => {
    const { channel, server, pending } = await startWithInvocation();
    await using _ = server;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `${PREFIX}/invocation/${invocation().requestId}/response`,
      headers: { 'content-length': '100' },
    });
    req.on('error', () => undefined);
    req.write('only ten b');
    // Cut the body only once the server is reading it: earlier, there would be no request to cut.
    const deadline = Date.now() + 30_000;
    while (channel.phase !== 'responding' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(channel.phase, 'responding');
    req.destroy();
    const outcome = await pending.response;
    assert.deepEqual(outcome, { kind: 'truncated' });
  });
});

describe('Runtime API limits and connections', () => {
  it('A.2 keeps one connection alive across /next and /response, with no request timeout', async () => {
    const channel = new RuntimeChannel();
    void channel.expectInit();
    await using server = await startRuntimeApiServer({ channel });
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    const call = (method: string, path: string, body?: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, agent }, (res) => {
          ports.add(req.socket!.localPort!);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    for (let i = 0; i < 3; i++) {
      const id = `request-${i}`;
      const pending = channel.invoke(invocation({ requestId: id }));
      assert.equal(await call('GET', `${PREFIX}/invocation/next`), 200);
      assert.equal(await call('POST', `${PREFIX}/invocation/${id}/response`, '{}'), 202);
      await pending.response;
      // Free the slot for the next invocation, as a timeout would, without another /next.
      channel.abandon();
    }
    assert.equal(ports.size, 1, 'every call went over the same socket');
    agent.destroy();
  });

  it('D.23 a streamed response past the size limit ends with Function.ResponseSizeTooLarge; past the uncapped part it is paced', async () => {
    const { server, pending } = await startWithInvocation({ streamLimits: { maxBytes: 64 * 1024, uncappedBytes: 16 * 1024, bytesPerSecond: 256 * 1024 } });
    await using _ = server;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `${PREFIX}/invocation/${invocation().requestId}/response`,
      headers: { 'lambda-runtime-function-response-mode': 'streaming', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => res.resume());
    const response = await new Promise<Awaited<typeof pending.response>>((resolve) => {
      req.write(Buffer.alloc(8 * 1024, 0x61));
      void pending.response.then(resolve);
    });
    assert.ok(response.kind === 'streaming');
    const received: Buffer[] = [];
    const reading = (async () => {
      for await (const chunk of response.body) received.push(chunk as Buffer);
    })();
    for (let i = 0; i < 12; i++) req.write(Buffer.alloc(8 * 1024, 0x62));
    req.end();
    await reading;
    const completion = await response.completion;
    assert.equal(completion.error?.errorType, 'Function.ResponseSizeTooLarge');
    const forwarded = Buffer.concat(received).length;
    assert.ok(forwarded <= 64 * 1024, `at most the limit reaches the caller (${forwarded})`);
    assert.equal(completion.producedBytes, 13 * 8 * 1024);
  });
});
