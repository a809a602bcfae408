// print() and the logging root logger, in Lambda's Text and JSON log formats; one record per stdout line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, startPythonRuntime, type PythonRuntime } from './python-runtime.js';

const APP = `${FIXTURES}logging/app.py`;

/** Invoke the logging fixture once and return stdout with timestamps and the request id replaced. */
async function invokeOnce(runtime: PythonRuntime): Promise<string> {
  const requestId = runtime.api.enqueue();
  const result = await runtime.api.waitForResult(requestId);
  assert.equal(result.body.toString(), '"done"');
  await runtime.waitForStdout('the context.log line', (text) => text.includes('from context.log\n'));
  await runtime.waitForStdout('stderr', () => runtime.stderr === 'to stderr\n');
  return runtime.stdout
    .replaceAll(requestId, '<id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time.ms>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>');
}

describe('python runtime: logging', () => {
  it('Text format: [LEVEL] time request-id message, at the root logger level WARNING by default', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging' });
    const stdout = await invokeOnce(runtime);
    const lines = stdout.split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '[WARNING]\t<time.ms>\t\twarning during init',
      'plain print',
      'print line one',
      'print line two',
      'no newline yet ... now',
      '[WARNING]\t<time.ms>\t<id>\torders warning 42',
    ]);
    assert.equal(lines[6], '[ERROR]\t<time.ms>\t<id>\tfirst line\rsecond line');
    // logger.exception: the traceback stays in the record, its line breaks written as \r.
    assert.match(
      lines[7] ?? '',
      new RegExp(
        `^\\[ERROR\\]\\t<time\\.ms>\\t<id>\\tcaught it\\rTraceback \\(most recent call last\\):\\r  File "${APP}", line 19, in handler\\r    raise KeyError\\("missing"\\)\\r(.*\\r)?KeyError: 'missing'$`,
      ),
    );
    assert.deepEqual(lines.slice(8), ['from context.log', '']);
  });

  it('Text format honours AWS_LAMBDA_LOG_LEVEL, TRACE meaning DEBUG', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging', env: { AWS_LAMBDA_LOG_LEVEL: 'TRACE' } });
    const stdout = await invokeOnce(runtime);
    assert.ok(stdout.includes('[DEBUG]\t<time.ms>\t<id>\troot debug\n'), stdout);
    assert.ok(stdout.includes('[INFO]\t<time.ms>\t<id>\troot info\n'), stdout);
    assert.ok(stdout.includes('[INFO]\t<time.ms>\t<id>\twith extra\n'), stdout);
  });

  it('JSON format: one object per record with logger, requestId, extra fields and exception fields, filtered by level', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'logging',
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' },
    });
    const lines = (await invokeOnce(runtime)).split('\n');
    const parsed = lines.map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : line));
    const exception = parsed[9] as Record<string, unknown>;
    assert.deepEqual(parsed, [
      { timestamp: '<time>', level: 'WARNING', message: 'warning during init', logger: 'root', requestId: '' },
      'plain print',
      'print line one',
      'print line two',
      'no newline yet ... now',
      { timestamp: '<time>', level: 'INFO', message: 'root info', logger: 'root', requestId: '<id>' },
      { timestamp: '<time>', level: 'WARNING', message: 'orders warning 42', logger: 'orders', requestId: '<id>' },
      { timestamp: '<time>', level: 'ERROR', message: 'first line\nsecond line', logger: 'orders', requestId: '<id>' },
      { timestamp: '<time>', level: 'INFO', message: 'with extra', logger: 'orders', requestId: '<id>', orderId: 'o-1' },
      {
        timestamp: '<time>',
        level: 'ERROR',
        message: 'caught it',
        logger: 'orders',
        stackTrace: exception.stackTrace,
        errorType: 'KeyError',
        errorMessage: "'missing'",
        requestId: '<id>',
        location: `${APP}:handler:21`,
      },
      'from context.log',
      '',
    ]);
    assert.ok(Array.isArray(exception.stackTrace));
    assert.ok(String(exception.stackTrace[0]).startsWith(`  File "${APP}", line 19, in handler\n    raise KeyError("missing")\n`));
    // Record keys come in the order Lambda writes them.
    assert.deepEqual(Object.keys(exception), ['timestamp', 'level', 'message', 'logger', 'stackTrace', 'errorType', 'errorMessage', 'requestId', 'location']);
  });

  it('JSON format at level ERROR drops warnings, even those from init', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'logging',
      env: { AWS_LAMBDA_LOG_FORMAT: 'json', AWS_LAMBDA_LOG_LEVEL: 'ERROR' },
    });
    const lines = (await invokeOnce(runtime)).split('\n').filter((line) => line.startsWith('{'));
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { level: string; message: string }).message),
      ['first line\nsecond line', 'caught it'],
    );
  });

  it('print output and log records reach stdout at once, while the handler still runs', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'logging', handler: 'app.print_then_wait' });
    runtime.api.enqueue();
    // A pipe is block-buffered by default: without a flush per write nothing would show before the handler returns.
    const soFar = /^waiting\nvia __stdout__\npartial line\[ERROR\]\t.*\tlogged while waiting\n$/;
    await runtime.waitForStdout('the output written so far', (text) => soFar.test(text.split('warning during init\n')[1] ?? ''));
    assert.ok(!runtime.api.requests.some((r) => r.method === 'POST'), 'the handler is still running');
  });
});
