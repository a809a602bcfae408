import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildRuntimeApi, ConcurrentRuntimeChannel, type Invocation } from '../../lib/runtime-api/index.js';

const PREFIX = '/2018-06-01/runtime';

function invocation(requestId: string): Invocation {
  return {
    requestId,
    payload: Buffer.from(JSON.stringify({ requestId })),
    deadlineMs: Date.now() + 30_000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
  };
}

async function setUp(): Promise<{ app: FastifyInstance; channel: ConcurrentRuntimeChannel }> {
  const channel = new ConcurrentRuntimeChannel();
  void channel.expectInit();
  const app = await buildRuntimeApi({ channel });
  return { app, channel };
}

function next(app: FastifyInstance) {
  return app.inject({ method: 'GET', url: `${PREFIX}/invocation/next` });
}

function post(app: FastifyInstance, requestId: string, kind: 'response' | 'error', body: string) {
  return app.inject({ method: 'POST', url: `${PREFIX}/invocation/${requestId}/${kind}`, payload: body, headers: { 'content-type': 'application/json' } });
}

describe('the Runtime API of a Lambda Managed Instances environment', () => {
  it('Y.158 hands each waiting /next its own invocation and routes each answer, in any order, to its own request', async () => {
    const { app, channel } = await setUp();
    const init = channel.expectInit();
    // Three workers wait; the first /next ends init.
    const nexts = [next(app), next(app), next(app)];
    assert.deepEqual(await init, { kind: 'ready' });
    const pending = ['r1', 'r2', 'r3'].map((id) => channel.invoke(invocation(id)));
    const handedOut = (await Promise.all(nexts)).map((response) => response.headers['lambda-runtime-aws-request-id']);
    assert.deepEqual([...handedOut].sort(), ['r1', 'r2', 'r3']);
    assert.equal(channel.inFlight, 3);

    // Answered in reverse order, each reaches its own caller.
    assert.equal((await post(app, 'r3', 'response', '"three"')).statusCode, 202);
    assert.equal((await post(app, 'r1', 'error', '{"errorType":"Boom","errorMessage":"one"}')).statusCode, 202);
    assert.equal((await post(app, 'r2', 'response', '"two"')).statusCode, 202);
    const answers = await Promise.all(pending.map((p) => p.response));
    assert.deepEqual(
      answers.map((answer) => (answer.kind === 'buffered' || answer.kind === 'error' ? `${answer.kind}:${answer.body.toString()}` : answer.kind)),
      ['error:{"errorType":"Boom","errorMessage":"one"}', 'buffered:"two"', 'buffered:"three"'],
    );
    await Promise.all(pending.map((p) => p.runtimeDone));
    assert.equal(channel.inFlight, 0);
    await app.close();
  });

  it('Y.158 queues an invocation until a worker asks for it', async () => {
    const { app, channel } = await setUp();
    const pending = channel.invoke(invocation('queued'));
    assert.equal(channel.waitingWorkers, 0);
    const response = await next(app);
    assert.equal(response.headers['lambda-runtime-aws-request-id'], 'queued');
    assert.equal((await post(app, 'queued', 'response', '{}')).statusCode, 202);
    assert.equal((await pending.response).kind, 'buffered');
    await app.close();
  });

  it('Y.160 C.12 refuses an unknown request id and a second answer (400), and a late one after a timeout with 410 InvokeTimeout', async () => {
    const { app, channel } = await setUp();
    const nexts = [next(app), next(app)];
    channel.invoke(invocation('answered'));
    channel.invoke(invocation('late'));
    await Promise.all(nexts);
    assert.equal((await post(app, 'nobody', 'response', '{}')).statusCode, 400);
    assert.equal((await post(app, 'answered', 'response', '{}')).statusCode, 202);
    const again = await post(app, 'answered', 'error', '{}');
    assert.equal(again.statusCode, 400, 'an answered invocation is no longer known');

    channel.abandon('late', 'timeout');
    const late = await post(app, 'late', 'response', '{}');
    assert.equal(late.statusCode, 410);
    assert.deepEqual(late.json(), { errorType: 'InvokeTimeout', errorMessage: 'Invoke timeout' });
    await app.close();
  });

  it('Y.162 takes the first worker\'s init error; the others\' get 403, and so does /next after it', async () => {
    const { app, channel } = await setUp();
    const init = channel.expectInit();
    const headers = { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' };
    const first = await app.inject({ method: 'POST', url: `${PREFIX}/init/error`, payload: '{"errorType":"Runtime.ImportModuleError"}', headers });
    const second = await app.inject({ method: 'POST', url: `${PREFIX}/init/error`, payload: '{"errorType":"Runtime.ImportModuleError"}', headers });
    assert.equal(first.statusCode, 202);
    assert.equal(second.statusCode, 403);
    assert.equal((await init).kind, 'error');
    assert.equal((await next(app)).statusCode, 403);
    await app.close();
  });
});
