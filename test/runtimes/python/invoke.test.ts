// The invocation loop: events in, results and errors out, as AWS's Python runtime client sends them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, jsonBody, startPythonRuntime } from './python-runtime.js';

describe('python runtime: invocations', () => {
  it('passes the event to app.handler and posts its JSON result', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain' });
    const requestId = runtime.api.enqueue({ body: '{"orderId":"o-1","qty":2}' });

    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.path, `/2018-06-01/runtime/invocation/${requestId}/response`);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.equal(result.body.toString(), `{"received": {"orderId": "o-1", "qty": 2}, "requestId": "${requestId}"}`);
  });

  it('serves many invocations over one kept-alive connection, calling /next after each', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain' });
    for (let index = 0; index < 3; index += 1) {
      const requestId = runtime.api.enqueue({ body: JSON.stringify({ index }) });
      const result = await runtime.api.waitForResult(requestId);
      assert.deepEqual(jsonBody(result), { received: { index }, requestId });
    }
    await runtime.api.waitForNextCalls(4);
    assert.deepEqual(
      runtime.api.requests.map((r) => `${r.method} ${r.path.replace(/invocation\/[^/]+\//, 'invocation/ID/')} #${r.connectionId}`),
      [
        'GET /2018-06-01/runtime/invocation/next #1',
        'POST /2018-06-01/runtime/invocation/ID/response #1',
        'GET /2018-06-01/runtime/invocation/next #1',
        'POST /2018-06-01/runtime/invocation/ID/response #1',
        'GET /2018-06-01/runtime/invocation/next #1',
        'POST /2018-06-01/runtime/invocation/ID/response #1',
        'GET /2018-06-01/runtime/invocation/next #1',
      ],
    );
    assert.match(String(runtime.api.requests[0]?.headers['user-agent']), /^aws-lambda-python\/3\.\d+\.\d+-cdk-local\//);
  });

  it('reconnects when the server closed the idle keep-alive connection while the handler ran', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'plain',
      handler: 'app.sleep_then_echo',
      stub: { closeConnectionAfterNext: true },
    });
    const requestId = runtime.api.enqueue({ body: '{"sleepMs":50}' });
    const result = await runtime.api.waitForResult(requestId);
    assert.deepEqual(jsonBody(result), { received: { sleepMs: 50 } });
    assert.equal(result.connectionId, 2, 'the result came over a new connection');
  });

  it('finds handlers in nested packages, by slash or by dot', async (t) => {
    for (const handler of ['pkg/sub/mod.handler', 'pkg.sub.mod.handler']) {
      const runtime = await startPythonRuntime(t, { fixture: 'nested', handler });
      const requestId = runtime.api.enqueue({ body: '[1,2]' });
      assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), { module: 'pkg.sub.mod', received: [1, 2] });
      await runtime.stop();
    }
  });

  it('puts LAMBDA_TASK_ROOT first on sys.path and keeps the runtime folder off it', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'plain',
      handler: 'app.sys_path',
      env: { PYTHONPATH: '/opt/python' },
    });
    const requestId = runtime.api.enqueue();
    const { sysPath, cwd } = jsonBody(await runtime.api.waitForResult(requestId)) as { sysPath: string[]; cwd: string };
    assert.equal(sysPath[0], `${FIXTURES}plain`);
    assert.equal(sysPath[1], '/opt/python');
    assert.ok(!sysPath.some((entry) => entry.includes('lib/runtimes/python')), sysPath.join(':'));
    assert.equal(cwd, `${FIXTURES}plain`);
  });

  it('reports an exception as AWS does: /error body, no error-type header, X-Ray cause, [ERROR] line on stdout', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'raises' });
    const requestId = runtime.api.enqueue({ body: '{"orderId":"o-9"}' });

    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.path, `/2018-06-01/runtime/invocation/${requestId}/error`);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.equal(result.headers['lambda-runtime-function-error-type'], undefined);
    const file = `${FIXTURES}raises/app.py`;
    assert.deepEqual(jsonBody(result), {
      errorMessage: 'no order o-9',
      errorType: 'OrderNotFound',
      requestId,
      stackTrace: [
        `  File "${file}", line 10, in handler\n    return find_order(event["orderId"])\n`,
        `  File "${file}", line 6, in find_order\n    raise OrderNotFound("no order " + order_id)\n`,
      ],
    });
    const cause = JSON.parse(String(result.headers['lambda-runtime-function-xray-error-cause'])) as unknown;
    assert.deepEqual(cause, {
      working_directory: `${FIXTURES}raises`,
      exceptions: [
        {
          message: 'no order o-9',
          type: 'OrderNotFound',
          stack: [
            { label: 'handler', path: file, line: 10 },
            { label: 'find_order', path: file, line: 6 },
          ],
        },
      ],
      paths: [file],
    });

    const nbsp = '\u00a0';
    const stdout = await runtime.waitForStdout('the [ERROR] line', (text) => text.includes('[ERROR]'));
    assert.equal(
      stdout,
      [
        '[ERROR] OrderNotFound: no order o-9',
        'Traceback (most recent call last):',
        `${nbsp}${nbsp}File "${file}", line 10, in handler`,
        `${nbsp}${nbsp}${nbsp}${nbsp}return find_order(event["orderId"])`,
        `${nbsp}${nbsp}File "${file}", line 6, in find_order`,
        `${nbsp}${nbsp}${nbsp}${nbsp}raise OrderNotFound("no order " + order_id)`,
      ].join('\r') + '\n',
    );

    // The runtime carries on with the next event.
    await runtime.api.waitForNextCalls(2);
  });

  it('keeps a multi-line error message on one stdout line', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'raises', handler: 'app.multi_line' });
    const requestId = runtime.api.enqueue();
    assert.equal((jsonBody(await runtime.api.waitForResult(requestId)) as { errorMessage: string }).errorMessage, 'first line\nsecond line');
    const stdout = await runtime.waitForStdout('the [ERROR] line', (text) => text.endsWith('\n'));
    assert.equal(stdout.split('\n').length, 2, JSON.stringify(stdout));
    assert.ok(stdout.startsWith('[ERROR] ValueError: first line\rsecond line\rTraceback (most recent call last):\r'));
  });

  it('leaves out an X-Ray cause too large for a request header, and still reports the error', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'raises', handler: 'app.deep' });
    const requestId = runtime.api.enqueue({ body: '{"depth":300}' });
    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.path, `/2018-06-01/runtime/invocation/${requestId}/error`);
    assert.equal(result.headers['lambda-runtime-function-xray-error-cause'], undefined);
    const body = jsonBody(result) as { errorType: string; stackTrace: string[] };
    assert.equal(body.errorType, 'RecursionError');
    // Python folds the repeated frames of the stack trace; the X-Ray cause lists all 302.
    assert.ok(body.stackTrace.some((entry) => /Previous line repeated 29\d more times/.test(entry)), body.stackTrace.join(''));
  });

  it('sys.exit() in the handler ends the process with its status, no result posted', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'exit' });
    runtime.api.enqueue({ body: '{"status":3}' });
    assert.deepEqual(await runtime.waitForExit(), { code: 3, signal: null });
    assert.equal(runtime.stdout, 'about to exit\n');
    assert.ok(!runtime.api.requests.some((r) => r.method === 'POST'));
  });

  it('os._exit() in the handler ends the process at once, output already flushed', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'exit' });
    runtime.api.enqueue({ body: '{"status":0,"how":"os._exit"}' });
    assert.deepEqual(await runtime.waitForExit(), { code: 0, signal: null });
    assert.equal(runtime.stdout, 'about to exit\n');
    assert.ok(!runtime.api.requests.some((r) => r.method === 'POST'));
  });
});
