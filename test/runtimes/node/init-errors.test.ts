// A function that cannot start reports POST /init/error with the error type in
// Lambda-Runtime-Function-Error-Type and {errorType, errorMessage, trace}, logs it as
// "Uncaught Exception", never asks for /next, and exits with 129, as in Lambda.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import { BOOTSTRAP, startBootstrap } from './start-bootstrap.js';
import type { StartOptions } from './start-bootstrap.js';

interface InitErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

interface InitFailure {
  body: InitErrorBody;
  headerType: string | string[] | undefined;
  contentType: string | undefined;
  exitCode: number | null;
  stdoutLines: string[];
}

async function failInit(t: TestContext, options: StartOptions): Promise<InitFailure> {
  const run = await startBootstrap(t, options);
  const posted = await run.api.waitForRequest('/2018-06-01/runtime/init/error', 'POST /init/error');
  const exit = await run.waitForExit();
  assert.equal(run.api.nextCount(), 0, 'a function that failed to start must not ask for /next');
  return {
    body: JSON.parse(bodyText(posted)) as InitErrorBody,
    headerType: posted.headers['lambda-runtime-function-error-type'],
    contentType: posted.headers['content-type'],
    exitCode: exit.code,
    stdoutLines: run.stdoutLines,
  };
}

describe('init errors', () => {
  test('a missing module is Runtime.ImportModuleError with a require stack, then exit 129', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'nope.handler' });
    assert.equal(failure.headerType, 'Runtime.ImportModuleError');
    assert.equal(failure.contentType, 'application/json');
    assert.equal(failure.body.errorType, 'Runtime.ImportModuleError');
    assert.equal(failure.body.errorMessage, `Error: Cannot find module 'nope'\nRequire stack:\n- ${BOOTSTRAP}`);
    assert.equal(failure.body.trace[0], `Runtime.ImportModuleError: Error: Cannot find module 'nope'`);
    assert.equal(failure.exitCode, 129);
    const logged = failure.stdoutLines.find((line) => line.includes('Uncaught Exception'));
    assert.match(logged ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime\.ImportModuleError",/);
  });

  test('a package the module requires but nobody installed is Runtime.ImportModuleError', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'requires-missing.handler' });
    assert.equal(failure.body.errorType, 'Runtime.ImportModuleError');
    assert.match(failure.body.errorMessage, /^Error: Cannot find module 'a-package-that-is-not-installed'\nRequire stack:\n- .*requires-missing\.js\n/);
  });

  test('an ES module importing a missing package fails with a plain Error, as in Lambda', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'imports-missing.handler' });
    assert.equal(failure.headerType, 'Error');
    assert.equal(failure.body.errorType, 'Error');
    assert.match(failure.body.errorMessage, /^Cannot find package 'a-package-that-is-not-installed' imported from /);
  });

  test('a missing export is Runtime.HandlerNotFound', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'handlers.handler' });
    assert.equal(failure.headerType, 'Runtime.HandlerNotFound');
    assert.equal(failure.body.errorMessage, 'handlers.handler is undefined or not exported');
  });

  test('an export that is not a function is Runtime.HandlerNotFound', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'handlers.notAFunction' });
    assert.equal(failure.body.errorType, 'Runtime.HandlerNotFound');
    assert.equal(failure.body.errorMessage, 'handlers.notAFunction is not a function');
  });

  test('a handler string without an export is Runtime.MalformedHandlerName', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'handlers' });
    assert.equal(failure.headerType, 'Runtime.MalformedHandlerName');
    assert.equal(failure.body.errorMessage, 'Bad handler');
  });

  test('a handler string climbing out of the task root is Runtime.MalformedHandlerName', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: '../loading/cjs/index.handler' });
    assert.equal(failure.body.errorType, 'Runtime.MalformedHandlerName');
    assert.match(failure.body.errorMessage, /is not a valid handler name/);
  });

  test('code that does not parse is Runtime.UserCodeSyntaxError', async (t) => {
    const codeDir = await mkdtemp(join(tmpdir(), 'cdk-local-ric-'));
    t.after(() => rm(codeDir, { recursive: true, force: true }));
    // Written here, not kept as a fixture: the type checker would reject the file.
    await writeFile(join(codeDir, 'package.json'), '{"type":"commonjs"}');
    await writeFile(join(codeDir, 'index.js'), 'exports.handler = async () => {\n  return { ok: true ;\n};\n');
    const failure = await failInit(t, { codeDir, handler: 'index.handler' });
    assert.equal(failure.headerType, 'Runtime.UserCodeSyntaxError');
    assert.match(failure.body.errorMessage, /^SyntaxError: /);
    assert.match(failure.body.trace[1] ?? '', /^ {4}at .*index\.js:2$/, 'the file and line, as Node.js prints them');
    assert.equal(failure.exitCode, 129);
  });

  test('an ES module that does not parse names its file and line too', async (t) => {
    const codeDir = await mkdtemp(join(tmpdir(), 'cdk-local-ric-'));
    t.after(() => rm(codeDir, { recursive: true, force: true }));
    await writeFile(join(codeDir, 'index.mjs'), 'export const handler = async () => {\n  return 1 +;\n};\n');
    const failure = await failInit(t, { codeDir, handler: 'index.handler' });
    assert.equal(failure.headerType, 'Runtime.UserCodeSyntaxError');
    assert.equal(failure.body.errorMessage, "SyntaxError: Unexpected token ';'");
    assert.match(failure.body.trace[1] ?? '', /^ {4}at .*index\.mjs:2$/);
  });

  test('an error thrown while the module initialises keeps its own type', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'throws.handler' });
    assert.equal(failure.headerType, 'TypeError');
    assert.equal(failure.body.errorType, 'TypeError');
    assert.equal(failure.body.errorMessage, 'TABLE_NAME is not configured');
    assert.match(failure.body.trace[1] ?? '', /throws\.js:1/);
  });

  test('a rejected top-level await keeps its own type', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'rejects.handler' });
    assert.equal(failure.body.errorType, 'RangeError');
    assert.equal(failure.body.errorMessage, 'secret could not be fetched');
  });

  test('Node.js 24 refuses a callback handler with Runtime.CallbackHandlerDeprecated', async (t) => {
    const failure = await failInit(t, {
      codeDir: 'init-errors',
      handler: 'callback.handler',
      env: { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
    });
    assert.equal(failure.headerType, 'Runtime.CallbackHandlerDeprecated');
    assert.match(failure.body.errorMessage, /removed support for callback-based function handlers starting with Node\.js 24/);
    assert.ok(failure.stdoutLines.some((line) => line.includes('\tERROR\tInit Error \t{"errorType":"Runtime.CallbackHandlerDeprecated"')));
  });

  test('on Node.js 24 an init failure is logged as "Init Error"', async (t) => {
    const failure = await failInit(t, { codeDir: 'init-errors', handler: 'nope.handler', env: { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' } });
    assert.equal(failure.headerType, 'Runtime.ImportModuleError');
    assert.ok(failure.stdoutLines.some((line) => line.includes('\tERROR\tInit Error \t{"errorType":"Runtime.ImportModuleError"')));
  });

  test('Node.js 22 runs a callback handler and warns once at init', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'init-errors', handler: 'callback.handler' });
    const requestId = run.api.enqueue();
    assert.equal(bodyText(await run.api.waitForOutcome(requestId)), '"called back"');
    const warning = await run.waitForLine(/\tWARN\tAWS Lambda plans to remove support for callback-based function handlers/);
    assert.match(warning, /^\S+\tundefined\tWARN\t/);
  });
});
