// With _LAMBDA_TELEMETRY_LOG_FD, log records are frames on that fd (type, length, timestamp, message), newlines
// intact, as Lambda's Python runtime writes them; print() output stays on stdout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBody, startPythonRuntime, type LogFrame, type PythonRuntime } from './python-runtime.js';

const TEXT = 0xa55a0003;
const TEXT_DEBUG = 0xa55a000b;
const TEXT_INFO = 0xa55a000f;
const TEXT_WARNING = 0xa55a0013;
const TEXT_ERROR = 0xa55a0017;
const JSON_INFO = 0xa55a000e;
const JSON_WARNING = 0xa55a0012;
const JSON_ERROR = 0xa55a0016;

/** Invoke once, wait for `count` frames; return them with the request id and timestamps replaced. */
async function invokeAndReadFrames(
  runtime: PythonRuntime,
  count: number,
  body = '{}',
): Promise<Array<{ type: number; message: string }>> {
  const startedUs = BigInt(Date.now() - 1) * 1000n;
  const requestId = runtime.api.enqueue({ body });
  await runtime.api.waitForResult(requestId);
  const frames = await runtime.waitForFrames(count);
  const endedUs = BigInt(Date.now() + 1) * 1000n;
  for (const frame of frames.slice(1)) {
    assert.ok(frame.timestampUs >= startedUs && frame.timestampUs <= endedUs, `timestamp ${frame.timestampUs} of ${frame.message}`);
  }
  return frames.map((frame: LogFrame) => ({
    type: frame.type,
    message: frame.message
      .replaceAll(requestId, '<id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time.ms>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>'),
  }));
}

describe('python runtime: framed logs on _LAMBDA_TELEMETRY_LOG_FD', () => {
  it('Text format: unleveled text frames, one per record, with their newlines; print() stays on stdout', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging', telemetryFd: true });
    const frames = await invokeAndReadFrames(runtime, 5);
    assert.deepEqual(frames.slice(0, 3), [
      { type: TEXT, message: '[WARNING]\t<time.ms>\t\twarning during init\n' },
      { type: TEXT, message: '[WARNING]\t<time.ms>\t<id>\torders warning 42\n' },
      { type: TEXT, message: '[ERROR]\t<time.ms>\t<id>\tfirst line\nsecond line\n' },
    ]);
    assert.equal(frames[3]?.type, TEXT);
    assert.match(frames[3]?.message ?? '', /^\[ERROR\]\t<time\.ms>\t<id>\tcaught it\nTraceback \(most recent call last\):\n[^]*\nKeyError: 'missing'$/);
    assert.deepEqual(frames[4], { type: TEXT, message: 'from context.log\n' });
    assert.equal(frames.length, 5);
    await runtime.waitForStdout('the prints', (text) => text.endsWith('now\n'));
    assert.equal(runtime.stdout, 'plain print\nprint line one\nprint line two\nno newline yet ... now\n');
  });

  it('with AWS_LAMBDA_LOG_LEVEL, text frames carry the level', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging', telemetryFd: true, env: { AWS_LAMBDA_LOG_LEVEL: 'DEBUG' } });
    const frames = await invokeAndReadFrames(runtime, 8);
    assert.deepEqual(
      frames.map((frame) => frame.type),
      [TEXT_WARNING, TEXT_DEBUG, TEXT_INFO, TEXT_WARNING, TEXT_ERROR, TEXT_INFO, TEXT_ERROR, TEXT],
    );
  });

  it('JSON format: JSON frames by level, below the level dropped', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'logging',
      telemetryFd: true,
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' },
    });
    const frames = await invokeAndReadFrames(runtime, 7);
    assert.deepEqual(
      frames.map((frame) => frame.type),
      [JSON_WARNING, JSON_INFO, JSON_WARNING, JSON_ERROR, JSON_INFO, JSON_ERROR, TEXT],
    );
    assert.deepEqual(frames[0], {
      type: JSON_WARNING,
      message: '{"timestamp": "<time>", "level": "WARNING", "message": "warning during init", "logger": "root", "requestId": ""}\n',
    });
    assert.deepEqual(JSON.parse(frames[3]?.message ?? ''), {
      timestamp: '<time>',
      level: 'ERROR',
      message: 'first line\nsecond line',
      logger: 'orders',
      requestId: '<id>',
    });
  });

  it('an unhandled error is one error frame, its lines joined by newlines, and nothing on stdout', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'raises', telemetryFd: true });
    const frames = await invokeAndReadFrames(runtime, 1, '{"orderId":"o-9"}');
    assert.equal(frames[0]?.type, TEXT_ERROR);
    const lines = (frames[0]?.message ?? '').split('\n');
    assert.deepEqual(lines.slice(0, 2), ['[ERROR] OrderNotFound: no order o-9', 'Traceback (most recent call last):']);
    assert.match(lines[2] ?? '', /^\u00a0\u00a0File ".*raises\/app\.py", line 10, in handler$/);
    assert.equal(lines.length, 6);
    assert.equal(runtime.stdout, '');
  });

  it('a JSON-format init error is a JSON error frame', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'missing-handler', telemetryFd: true, env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    await runtime.api.waitForInitError();
    const [frame] = await runtime.waitForFrames(1);
    assert.equal(frame?.type, JSON_ERROR);
    const record = JSON.parse(frame?.message ?? '') as Record<string, unknown>;
    assert.equal(record.log_level, 'ERROR');
    assert.equal(record.errorType, 'Runtime.HandlerNotFound');
    assert.equal(runtime.stdout, '');
  });

  it('removes _LAMBDA_TELEMETRY_LOG_FD from the environment the function sees', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging', handler: 'app.telemetry_fd_variable', telemetryFd: true });
    const requestId = runtime.api.enqueue();
    assert.equal(jsonBody(await runtime.api.waitForResult(requestId)), null);
  });
});
