// What the Node.js runtime client posts for each kind of handler outcome, and when.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import type { InvocationSpec, RecordedRequest } from './fake-runtime-api.js';
import { startBootstrap } from './start-bootstrap.js';
import type { RunningBootstrap } from './start-bootstrap.js';

interface Outcome {
  kind: 'response' | 'error';
  request: RecordedRequest;
  json: unknown;
  run: RunningBootstrap;
}

async function invoke(t: TestContext, handler: string, spec: InvocationSpec = {}, env: Record<string, string> = {}): Promise<Outcome> {
  const run = await startBootstrap(t, { codeDir: 'invoke', handler: `handlers.${handler}`, env });
  const requestId = run.api.enqueue(spec);
  const request = await run.api.waitForOutcome(requestId);
  return {
    kind: request.path.endsWith('/error') ? 'error' : 'response',
    request,
    json: JSON.parse(bodyText(request)),
    run,
  };
}

function assertError(outcome: Outcome, errorType: string, errorMessage: string): void {
  assert.equal(outcome.kind, 'error', `expected an error, got ${JSON.stringify(outcome.json)}`);
  const body = outcome.json as { errorType: string; errorMessage: string; trace: string[] };
  assert.equal(body.errorType, errorType);
  assert.equal(body.errorMessage, errorMessage);
  assert.ok(Array.isArray(body.trace));
}

describe('invoke', () => {
  test('an async handler’s value is posted as JSON to /response', async (t) => {
    const outcome = await invoke(t, 'echo', { payload: '{"orderId":42}' });
    assert.equal(outcome.kind, 'response');
    assert.deepEqual(outcome.json, { event: { orderId: 42 } });
    assert.equal(outcome.request.headers['content-type'], 'application/json');
  });

  test('undefined is posted as null', async (t) => {
    const outcome = await invoke(t, 'nothing');
    assert.equal(bodyText(outcome.request), 'null');
  });

  test('a thrown Error is posted to /error as {errorType, errorMessage, trace}, without an error-type header', async (t) => {
    const outcome = await invoke(t, 'throwsError');
    assertError(outcome, 'Error', 'boom');
    const body = outcome.json as { trace: string[] };
    assert.equal(body.trace[0], 'Error: boom');
    assert.match(body.trace[1] ?? '', /handlers\.js:\d+/);
    assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
    assert.equal(outcome.request.headers['content-type'], 'application/json');
    assert.equal(outcome.request.headers['lambda-runtime-function-error-type'], undefined);
    const cause = JSON.parse(String(outcome.request.headers['lambda-runtime-function-xray-error-cause'])) as { exceptions: { type: string }[] };
    assert.equal(cause.exceptions[0]?.type, 'Error');
    await outcome.run.waitForLine(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom","stack":\["Error: boom",/);
  });

  test('an error’s name is its errorType', async (t) => {
    assertError(await invoke(t, 'throwsCustom'), 'OrderNotFound', 'no order 42');
  });

  test('a thrown string is {errorType: "string"} with an empty trace', async (t) => {
    const outcome = await invoke(t, 'throwsString');
    assertError(outcome, 'string', 'plain string');
    assert.deepEqual((outcome.json as { trace: string[] }).trace, []);
  });

  test('a rejected object is {errorType: "object"}', async (t) => {
    assertError(await invoke(t, 'rejectsObject'), 'object', '[object Object]');
  });

  test('a promise rejected with nothing is reported as "handled"', async (t) => {
    assertError(await invoke(t, 'rejectsNothing'), 'string', 'handled');
  });

  test('a result JSON cannot represent is an error', async (t) => {
    assertError(await invoke(t, 'circular'), 'Error', 'Unable to stringify response body');
  });

  test('on Node.js 24 that error is Runtime.JSONStringifyError', async (t) => {
    const outcome = await invoke(t, 'circular', {}, { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' });
    assertError(outcome, 'Runtime.JSONStringifyError', 'Unable to stringify response body');
  });

  test('a plain function’s return value is ignored: null once the event loop is empty', async (t) => {
    const outcome = await invoke(t, 'syncValue');
    assert.equal(bodyText(outcome.request), 'null');
  });

  test('on Node.js 24 a plain function’s return value is the answer', async (t) => {
    const requestId = 'c0ffee00-0000-4000-8000-000000000024';
    const outcome = await invoke(t, 'syncValue', { requestId }, { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' });
    assert.deepEqual(outcome.json, { ignored: requestId });
  });

  test('an async handler whose promise never settles fails with Runtime.NodeJsExit when the loop empties', async (t) => {
    const outcome = await invoke(t, 'asyncNeverSettles');
    assertError(
      outcome,
      'Runtime.NodeJsExit',
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  });

  test('on Node.js 24 a promise that never settles ends the process', async (t) => {
    const run = await startBootstrap(t, {
      codeDir: 'invoke',
      handler: 'handlers.asyncNeverSettles',
      env: { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
    });
    run.api.enqueue();
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null });
    assert.equal(run.api.requests.length, 1, 'only /next, no answer');
  });

  test('the runtime goes on to the next invocation after an error', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.throwsError' });
    const first = run.api.enqueue();
    const second = run.api.enqueue();
    assert.ok((await run.api.waitForOutcome(first)).path.endsWith('/error'));
    assert.ok((await run.api.waitForOutcome(second)).path.endsWith('/error'));
  });
});

describe('callbacks', () => {
  test('with callbackWaitsForEmptyEventLoop (the default) the answer waits for pending work', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.callbackWaits' });
    const requestId = run.api.enqueue();
    await run.api.waitForGate('pending-work');
    run.api.release('pending-work');
    const outcome = await run.api.waitForOutcome(requestId);
    assert.equal(bodyText(outcome), '"called back"');
    assert.ok(outcome.arrivedAt > (run.api.releasedAt('pending-work') ?? Infinity), 'the answer came before the pending work was done');
  });

  test('with callbackWaitsForEmptyEventLoop = false the answer goes at once', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.callbackDoesNotWait' });
    const requestId = run.api.enqueue();
    // The gate stays closed until the answer is in: waiting for pending work would time out here.
    const outcome = await run.api.waitForOutcome(requestId);
    assert.equal(bodyText(outcome), '"called back"');
    await run.api.waitFor(() => (run.api.nextCount() === 2 ? true : undefined), 'the next /next');
    run.api.release('pending-work');
    await run.waitForLine(/\tpending work done$/);
  });

  test('callback(error) posts the error', async (t) => {
    assertError(await invoke(t, 'callbackError'), 'TypeError', 'bad input');
  });

  test('context.succeed answers at once and later calls are ignored', async (t) => {
    const outcome = await invoke(t, 'succeed');
    assert.equal(bodyText(outcome.request), '"succeeded"');
  });

  test('when a handler calls back and returns a promise, the first one wins', async (t) => {
    const outcome = await invoke(t, 'callbackBeforePromise');
    assert.equal(bodyText(outcome.request), '"from the callback"');
  });
});

describe('fatal errors during an invocation', () => {
  test('an uncaught exception posts the error and exits with 129', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.uncaught' });
    const requestId = run.api.enqueue();
    const outcome = await run.api.waitForOutcome(requestId);
    assert.ok(outcome.path.endsWith('/error'));
    assert.equal((JSON.parse(bodyText(outcome)) as { errorMessage: string }).errorMessage, 'thrown from a timer');
    assert.equal((await run.waitForExit()).code, 129);
    assert.ok(run.stdoutLines.some((line) => line.includes(`\t${requestId}\tERROR\tUncaught Exception \t{"errorType":"Error"`)));
  });

  test('an unhandled rejection posts Runtime.UnhandledPromiseRejection and exits with 128', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.unhandled' });
    const requestId = run.api.enqueue();
    const outcome = await run.api.waitForOutcome(requestId);
    const body = JSON.parse(bodyText(outcome)) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(body.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(body.errorMessage, 'Error: nobody listens');
    assert.equal(body.trace[0], 'Runtime.UnhandledPromiseRejection: Error: nobody listens');
    assert.equal((await run.waitForExit()).code, 128);
  });
});
