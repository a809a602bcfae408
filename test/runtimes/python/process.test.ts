// The process contract: environment it needs, signals, exit statuses, and what happens when the Runtime API says no.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBody, startPythonRuntime } from './python-runtime.js';

const NEXT = '/2018-06-01/runtime/invocation/next';

describe('python runtime: process', () => {
  it('runs the SIGTERM handler the function installed while it waits on /next', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'sigterm' });
    const requestId = runtime.api.enqueue();
    assert.equal((await runtime.api.waitForResult(requestId)).body.toString(), '"ok"');
    await runtime.api.waitForNextCalls(2);

    runtime.child.kill('SIGTERM');
    assert.deepEqual(await runtime.waitForExit(), { code: 0, signal: null });
    assert.equal(runtime.stdout, '[runtime] SIGTERM received, cleaning up\n');
  });

  it('without a SIGTERM handler of the function, SIGTERM ends the process by signal', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain' });
    await runtime.api.waitForNextCalls(1);
    runtime.child.kill('SIGTERM');
    assert.deepEqual(await runtime.waitForExit(), { code: null, signal: 'SIGTERM' });
    assert.equal(runtime.stderr, '');
  });

  it('takes the handler from its first argument before _HANDLER, as awslambdaric does', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain', handler: 'nothere.handler', args: ['app.handler'] });
    const requestId = runtime.api.enqueue({ body: '"hi"' });
    assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), { received: 'hi', requestId });
  });

  it('defaults the task root to the working directory', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain', env: { LAMBDA_TASK_ROOT: undefined } });
    const requestId = runtime.api.enqueue({ body: '1' });
    assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), { received: 1, requestId });
  });

  it('exits 1 with one line on stderr when AWS_LAMBDA_RUNTIME_API or the handler is missing', async (t) => {
    const noApi = await startPythonRuntime(t, { fixture: 'plain', env: { AWS_LAMBDA_RUNTIME_API: undefined } });
    assert.deepEqual(await noApi.waitForExit(), { code: 1, signal: null });
    assert.equal(noApi.stderr, 'cdk-local python runtime: AWS_LAMBDA_RUNTIME_API is not set (expected host:port of the Lambda Runtime API)\n');

    const noHandler = await startPythonRuntime(t, { fixture: 'plain', env: { _HANDLER: undefined } });
    assert.deepEqual(await noHandler.waitForExit(), { code: 1, signal: null });
    assert.match(noHandler.stderr, /^cdk-local python runtime: no handler: set _HANDLER/);
  });

  it('exits 1 when the Runtime API cannot be reached', async (t) => {
    // A port that was just free: the address of a stub that has been closed.
    const closed = await startPythonRuntime(t, { fixture: 'plain' });
    const address = closed.api.address;
    await closed.stop();
    const runtime = await startPythonRuntime(t, { fixture: 'plain', env: { AWS_LAMBDA_RUNTIME_API: address } });
    assert.deepEqual(await runtime.waitForExit(), { code: 1, signal: null });
    assert.match(runtime.stderr, new RegExp(`^cdk-local python runtime: GET ${NEXT} at ${address} failed: .*refused.*\\n$`, 'i'));
  });

  it('exits 1 when /next answers anything but 200', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'plain',
      stub: {
        respondWith: (request) =>
          request.path === NEXT ? { status: 403, body: '{"errorType":"InvalidStateTransition","errorMessage":"no"}' } : undefined,
      },
    });
    assert.deepEqual(await runtime.waitForExit(), { code: 1, signal: null });
    assert.equal(
      runtime.stderr,
      `cdk-local python runtime: GET ${NEXT} answered 403: {"errorType":"InvalidStateTransition","errorMessage":"no"}\n`,
    );
  });

  it('exits 1 when /response is refused, as AWS\'s client does (a 413 for a too large payload, say)', async (t) => {
    const refusal = '{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}';
    const runtime = await startPythonRuntime(t, {
      fixture: 'plain',
      stub: { respondWith: (request) => (request.path.endsWith('/response') ? { status: 413, body: refusal } : undefined) },
    });
    const requestId = runtime.api.enqueue();
    await runtime.api.waitForResult(requestId);
    assert.deepEqual(await runtime.waitForExit(), { code: 1, signal: null });
    assert.equal(
      runtime.stderr,
      `cdk-local python runtime: POST /2018-06-01/runtime/invocation/${requestId}/response answered 413: ${refusal}\n`,
    );
  });

  it('exits 1 when /init/error is answered with anything but 202', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'missing-handler',
      stub: { respondWith: (request) => (request.path.endsWith('/init/error') ? { status: 200, body: '{}' } : undefined) },
    });
    assert.deepEqual(await runtime.waitForExit(), { code: 1, signal: null });
    assert.equal(runtime.stderr, 'cdk-local python runtime: POST /2018-06-01/runtime/init/error answered 200: {}\n');
  });
});
