// Events in and results out: the JSON rules of AWS's Python runtime (simplejson's, not json.dumps').
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBody, startPythonRuntime } from './python-runtime.js';

describe('python runtime: marshalling', () => {
  it('writes Decimal digits, namedtuples as objects, bytes as text, NaN and Infinity, and escapes non-ASCII', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.simplejson_rules' });
    const requestId = runtime.api.enqueue();
    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.equal(
      result.body.toString(),
      '{"price": 19.90, "ratio": 1E+2, "missing": NaN, "point": {"x": 1, "y": 2}, "tuple": [1, 2], "bytes": "caf\\u00e9", ' +
        '"colour": 1, "keys": {"1": "int", "2.5": "float", "false": "bool", "null": "none"}, "nan": NaN, "inf": -Infinity, ' +
        '"text": "caf\\u00e9 \\u2603"}',
    );
  });

  it('writes non-ASCII characters as UTF-8 on python3.12 and later runtimes', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'results',
      handler: 'app.simplejson_rules',
      env: { AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12' },
    });
    const requestId = runtime.api.enqueue();
    const raw = (await runtime.api.waitForResult(requestId)).body.toString('utf8');
    assert.ok(raw.includes('"bytes": "café"') && raw.endsWith('"text": "café ☃"}'), raw);
  });

  it('posts a bytes result as is, with Content-Type application/unknown', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.raw_bytes' });
    const requestId = runtime.api.enqueue();
    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.path, `/2018-06-01/runtime/invocation/${requestId}/response`);
    assert.equal(result.headers['content-type'], 'application/unknown');
    assert.deepEqual(result.body, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]));
  });

  it('posts null for None', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.none' });
    const requestId = runtime.api.enqueue();
    assert.equal((await runtime.api.waitForResult(requestId)).body.toString(), 'null');
  });

  it('an unserialisable result is Runtime.MarshalError, and the runtime carries on', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.unserializable' });
    const requestId = runtime.api.enqueue();
    const result = await runtime.api.waitForResult(requestId);
    assert.equal(result.path, `/2018-06-01/runtime/invocation/${requestId}/error`);
    assert.deepEqual(jsonBody(result), {
      errorMessage: 'Unable to marshal response: Object of type set is not JSON serializable',
      errorType: 'Runtime.MarshalError',
      requestId,
      stackTrace: [],
    });
    const cause = JSON.parse(String(result.headers['lambda-runtime-function-xray-error-cause'])) as { exceptions: unknown[] };
    assert.deepEqual(cause.exceptions, [
      { message: 'Unable to marshal response: Object of type set is not JSON serializable', type: 'LambdaValidationError', stack: [] },
    ]);
    await runtime.waitForStdout('the [ERROR] line', (text) => text.endsWith('\n'));
    assert.equal(
      runtime.stdout,
      '[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set is not JSON serializable\rTraceback (most recent call last):\n',
    );
    await runtime.api.waitForNextCalls(2);
  });

  it('a circular result is Runtime.MarshalError', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.circular' });
    const requestId = runtime.api.enqueue();
    assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), {
      errorMessage: 'Unable to marshal response: Circular reference detected',
      errorType: 'Runtime.MarshalError',
      requestId,
      stackTrace: [],
    });
  });

  it('an event that is not JSON is Runtime.UnmarshalError', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.echo_type' });
    const requestId = runtime.api.enqueue({ body: '{"orderId":' });
    assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), {
      errorMessage: 'Unable to unmarshal input: Expecting value: line 1 column 12 (char 11)',
      errorType: 'Runtime.UnmarshalError',
      requestId,
      stackTrace: [],
    });
  });

  it('parses the event only when its Content-Type is exactly application/json, else passes the bytes', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.echo_type' });
    const cases: Array<[string | null, unknown]> = [
      ['application/json', { type: 'dict', value: { a: 1 } }],
      ['application/octet-stream', { type: 'bytes', value: `b'{"a":1}'` }],
      [null, { type: 'bytes', value: `b'{"a":1}'` }],
    ];
    for (const [contentType, expected] of cases) {
      const requestId = runtime.api.enqueue({ body: '{"a":1}', contentType });
      assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), expected, String(contentType));
    }
  });

  it('reads the event as UTF-8, byte order mark or not', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'results', handler: 'app.echo_type' });
    for (const body of ['{"name":"café"}', '\ufeff{"name":"café"}']) {
      const requestId = runtime.api.enqueue({ body: Buffer.from(body, 'utf8') });
      assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), { type: 'dict', value: { name: 'café' } });
    }
  });
});
