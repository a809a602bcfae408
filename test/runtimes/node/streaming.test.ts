// Response streaming: a chunked POST to /response with the streaming headers, chunks on
// the wire as they are written, the HTTP integration prelude, errors in the trailers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import type { RecordedRequest } from './fake-runtime-api.js';
import { startBootstrap } from './start-bootstrap.js';
import type { RunningBootstrap } from './start-bootstrap.js';

interface ErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

async function stream(t: TestContext, handler: string): Promise<{ run: RunningBootstrap; requestId: string; request: RecordedRequest }> {
  const run = await startBootstrap(t, { codeDir: 'streaming', handler: `handlers.${handler}` });
  const requestId = run.api.enqueue();
  const request = await run.api.waitForOutcome(requestId);
  return { run, requestId, request };
}

function trailerError(request: RecordedRequest): { type: string | undefined; body: ErrorBody } {
  const encoded = request.trailers['lambda-runtime-function-error-body'] ?? '';
  return {
    type: request.trailers['lambda-runtime-function-error-type'],
    body: JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as ErrorBody,
  };
}

describe('response streaming', () => {
  test('sends the prelude and each chunk as it is written', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'streaming', handler: 'handlers.prelude' });
    const requestId = run.api.enqueue();
    const path = `/2018-06-01/runtime/invocation/${requestId}/response`;

    await run.api.waitForGate('second-chunk');
    // The handler is still waiting at the gate: what it wrote so far must be here already.
    const open = await run.api.waitFor(
      () => run.api.requests.find((request) => request.path === path && bodyText(request).includes('first chunk,')),
      'the first chunk while the handler still runs',
    );
    assert.equal(open.complete, false);
    assert.equal(open.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(open.headers['transfer-encoding'], 'chunked');
    assert.equal(open.headers.trailer, 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body');
    assert.equal(open.headers['content-type'], 'application/vnd.awslambda.http-integration-response');

    run.api.release('second-chunk');
    const done = await run.api.waitForOutcome(requestId);
    const body = Buffer.concat(done.chunks);
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'x-kind': 'prelude' }, cookies: ['session=1'] });
    assert.deepEqual(body, Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('first chunk,second chunk')]));
    assert.deepEqual(done.trailers, {});
    await run.api.waitFor(() => (run.api.nextCount() === 2 ? true : undefined), 'the next /next');
  });

  test('defaults to application/octet-stream and writes objects as JSON', async (t) => {
    const { request } = await stream(t, 'plain');
    assert.equal(request.headers['content-type'], 'application/octet-stream');
    assert.equal(bodyText(request), '{"written":"as JSON"} tail');
  });

  test('setContentType works until the first write', async (t) => {
    const { request } = await stream(t, 'contentType');
    assert.equal(request.headers['content-type'], 'text/plain');
    assert.equal(bodyText(request), 'hello Runtime.InvalidStreamingOperation: Cannot set content-type, too late.');
  });

  test('the response stream works with stream.pipeline', async (t) => {
    const { request } = await stream(t, 'piped');
    assert.equal(bodyText(request), 'abc');
    assert.deepEqual(request.trailers, {});
  });

  test('an error after the first chunk is sent in the trailers', async (t) => {
    const { run, request } = await stream(t, 'failsMidStream');
    assert.equal(bodyText(request), 'partial');
    const error = trailerError(request);
    assert.equal(error.type, 'Error');
    assert.equal(error.body.errorType, 'Error');
    assert.equal(error.body.errorMessage, 'stream broke');
    assert.equal(error.body.trace[0], 'Error: stream broke');
    await run.waitForLine(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"stream broke"/);
    await run.api.waitFor(() => (run.api.nextCount() === 2 ? true : undefined), 'the next /next');
  });

  test('a streaming handler that is not async fails the stream', async (t) => {
    const { request } = await stream(t, 'notAsync');
    assert.equal(bodyText(request), 'started');
    const error = trailerError(request);
    assert.equal(error.type, 'string');
    assert.deepEqual(error.body, { errorType: 'string', errorMessage: 'Streaming does not support non-async handlers.', trace: [] });
  });

  test('an uncaught exception mid-stream fails the stream and exits with 129', async (t) => {
    const { run, request } = await stream(t, 'uncaughtMidStream');
    assert.equal(bodyText(request), 'partial');
    assert.equal(trailerError(request).body.errorMessage, 'thrown from a timer');
    assert.equal((await run.waitForExit()).code, 129);
  });

  test('an uncaught exception before any write posts /error and exits with 129', async (t) => {
    const { run, requestId, request } = await stream(t, 'uncaughtBeforeWriting');
    assert.equal(request.path, `/2018-06-01/runtime/invocation/${requestId}/error`);
    assert.equal((JSON.parse(bodyText(request)) as ErrorBody).errorMessage, 'thrown before any write');
    assert.equal((await run.waitForExit()).code, 129);
  });
});
