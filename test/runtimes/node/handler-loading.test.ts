// The Node.js runtime client finds handlers as Lambda does: dir/module.export.nested,
// .js/.mjs/.cjs in Lambda's order, package "type", CommonJS and ES modules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import { startBootstrap } from './start-bootstrap.js';

/** Starts the client for `handler` in `codeDir`, invokes once, returns the parsed response. */
async function invokeOnce(t: TestContext, codeDir: string, handler: string, payload = '{}'): Promise<unknown> {
  const run = await startBootstrap(t, { codeDir, handler });
  const requestId = run.api.enqueue({ payload });
  const outcome = await run.api.waitForOutcome(requestId);
  assert.equal(outcome.path, `/2018-06-01/runtime/invocation/${requestId}/response`, `expected a response, got ${bodyText(outcome)}`);
  return JSON.parse(bodyText(outcome));
}

describe('handler loading', () => {
  test('a .js file of a CommonJS package is required', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/cjs', 'index.handler', '{"n":1}'), { loadedAs: 'commonjs', event: { n: 1 } });
  });

  test('an .mjs file is imported, top-level await included', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/esm-mjs', 'index.handler'), {
      loadedAs: 'esm',
      config: { ready: true },
      event: {},
    });
  });

  test('a .js file under "type": "module" is imported as an ES module', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/type-module', 'index.handler'), { loadedAs: 'esm' });
  });

  test('a .cjs file is required', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/cjs-extension', 'index.handler'), { loadedAs: 'cjs-extension' });
  });

  test('a handler in a subdirectory is found relative to the task root', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/nested', 'src/app.lambdaHandler'), { file: 'src/app.js' });
  });

  test('a nested export path is followed', async (t) => {
    assert.deepEqual(await invokeOnce(t, 'loading/nested', 'src/app.api.v1.get'), { exportPath: 'api.v1.get' });
  });

  test('.js wins over .mjs, and .mjs over .cjs', async (t) => {
    assert.equal(await invokeOnce(t, 'loading/precedence', 'index.handler'), 'index.js');
    assert.equal(await invokeOnce(t, 'loading/precedence', 'other.handler'), 'other.mjs');
  });

  test('the function keeps one keep-alive connection for /next and /response', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'loading/cjs', handler: 'index.handler' });
    const first = run.api.enqueue();
    await run.api.waitForOutcome(first);
    const second = run.api.enqueue();
    await run.api.waitForOutcome(second);
    await run.api.waitFor(() => (run.api.nextCount() === 3 ? true : undefined), 'the third /next');
    const ports = new Set(run.api.requests.map((request) => request.remotePort));
    assert.equal(ports.size, 1, `requests came from ports ${[...ports].join(', ')}`);
    assert.deepEqual(
      run.api.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/, '{id}')}`),
      [
        'GET /2018-06-01/runtime/invocation/next',
        'POST /2018-06-01/runtime/invocation/{id}/response',
        'GET /2018-06-01/runtime/invocation/next',
        'POST /2018-06-01/runtime/invocation/{id}/response',
        'GET /2018-06-01/runtime/invocation/next',
      ],
    );
  });
});
