// Init failures: reported once to /init/error with the error types of Lambda's Python runtime, then exit 1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, jsonBody, startPythonRuntime, type PythonRuntime } from './python-runtime.js';

interface ErrorResult {
  errorMessage: string;
  errorType: string;
  requestId: string;
  stackTrace: string[];
}

/** Wait for the init error and the exit; check what every init failure has in common. */
async function expectInitError(runtime: PythonRuntime, errorType: string): Promise<ErrorResult> {
  const request = await runtime.api.waitForInitError();
  assert.deepEqual(await runtime.waitForExit(), { code: 1, signal: null });
  assert.equal(request.headers['lambda-runtime-function-error-type'], errorType);
  // AWS's client posts the init error without a Content-Type.
  assert.equal(request.headers['content-type'], undefined);
  assert.deepEqual(
    runtime.api.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /2018-06-01/runtime/init/error'],
    'no /next after a failed init',
  );
  const body = jsonBody(request) as ErrorResult;
  assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
  assert.equal(body.errorType, errorType);
  assert.equal(body.requestId, '');
  assert.equal(runtime.stderr, '');
  return body;
}

describe('python runtime: init errors', () => {
  it('a missing module is Runtime.ImportModuleError, logged as an [ERROR] line', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'missing-module' });
    const body = await expectInitError(runtime, 'Runtime.ImportModuleError');
    assert.deepEqual(body, {
      errorMessage: "Unable to import module 'app': No module named 'app'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
    assert.equal(
      runtime.stdout,
      "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'app'\rTraceback (most recent call last):\n",
    );
  });

  it("a missing dependency of the handler's module is Runtime.ImportModuleError too", async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'missing-dependency' });
    const body = await expectInitError(runtime, 'Runtime.ImportModuleError');
    assert.equal(body.errorMessage, "Unable to import module 'app': No module named 'cdk_local_not_installed_dependency'");
  });

  it('a missing handler function is Runtime.HandlerNotFound', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'missing-handler' });
    const body = await expectInitError(runtime, 'Runtime.HandlerNotFound');
    assert.equal(body.errorMessage, "Handler 'handler' missing on module 'app'");
    assert.deepEqual(body.stackTrace, []);
  });

  it('a handler without a dot is Runtime.MalformedHandlerName', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain', handler: 'app' });
    const body = await expectInitError(runtime, 'Runtime.MalformedHandlerName');
    assert.equal(body.errorMessage, "Bad handler 'app': not enough values to unpack (expected 2, got 1)");
  });

  it('a built-in module name is Runtime.BuiltInModuleConflict', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'plain', handler: 'sys.handler' });
    const body = await expectInitError(runtime, 'Runtime.BuiltInModuleConflict');
    assert.equal(body.errorMessage, 'Cannot use built-in module sys as a handler module');
  });

  it('a syntax error is Runtime.UserCodeSyntaxError, with the offending line as its trace', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'syntax-error' });
    const body = await expectInitError(runtime, 'Runtime.UserCodeSyntaxError');
    // The wording of SyntaxError changes between Python versions ("invalid syntax", "expected ':'").
    assert.match(body.errorMessage, /^Syntax error in module 'app': .+ \(app\.py, line 1\)$/);
    assert.deepEqual(body.stackTrace, [`  File "${FIXTURES}syntax-error/app.py" Line 1\n    def handler(event, context)\n`]);
  });

  it('an exception in module init is reported with its own type and a trace that starts outside the runtime', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'init-raises' });
    const body = await expectInitError(runtime, 'RuntimeError');
    assert.equal(body.errorMessage, 'settings table is not configured');
    const file = `${FIXTURES}init-raises/app.py`;
    assert.deepEqual(body.stackTrace.slice(-2), [
      `  File "${file}", line 8, in <module>\n    SETTINGS = load_settings()\n`,
      `  File "${file}", line 5, in load_settings\n    raise RuntimeError("settings table is not configured")\n`,
    ]);
    // As in Lambda, the import machinery's frames come first; the runtime's own are cut.
    assert.match(body.stackTrace[0] ?? '', /importlib/);
    assert.ok(!body.stackTrace.some((line) => line.includes('lib/runtimes/python')), body.stackTrace.join(''));
    assert.ok(runtime.stdout.startsWith('[ERROR] RuntimeError: settings table is not configured\rTraceback (most recent call last):\r'));
    assert.ok(runtime.stdout.endsWith('\n') && runtime.stdout.indexOf('\n') === runtime.stdout.length - 1, 'one line');
  });

  it('in JSON log format the error line is a JSON object', async (t) => {
    const runtime = await startPythonRuntime(t, {
      fixture: 'missing-handler',
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' },
    });
    await expectInitError(runtime, 'Runtime.HandlerNotFound');
    const line = JSON.parse(runtime.stdout) as Record<string, unknown>;
    assert.match(String(line.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(line, {
      timestamp: line.timestamp,
      log_level: 'ERROR',
      errorMessage: "Handler 'handler' missing on module 'app'",
      errorType: 'Runtime.HandlerNotFound',
      requestId: '',
      stackTrace: [],
    });
  });
});
