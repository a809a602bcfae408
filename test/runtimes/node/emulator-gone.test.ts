// The Node.js runtime client after its emulator is gone (cdk-local killed by SIGKILL):
// it exits by itself, whether it learns it from its Runtime API (a refused or cut
// connection) or from its output (a broken pipe), instead of lingering or spinning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startBootstrap } from './start-bootstrap.js';

const EXIT_WAIT_MS = 15_000;

describe('the emulator is gone', () => {
  test('its Runtime API closes while the runtime waits on /next: it exits with status 1', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'emulator-gone', handler: 'handlers.answersLater' });
    await run.api.waitForRequest('/2018-06-01/runtime/invocation/next');
    await run.api.close();
    const exit = await run.waitForExit(EXIT_WAIT_MS);
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(run.stderr(), /Runtime API .* is gone/);
  });

  test('its Runtime API closes while a handler runs: it exits with status 1 once the handler is done', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'emulator-gone', handler: 'handlers.answersLater' });
    run.api.enqueue({ payload: '{"delayMs":300}' });
    await run.api.waitFor(() => (run.api.nextCount() >= 1 ? true : undefined), 'the invocation to be taken');
    await run.api.close();
    const exit = await run.waitForExit(EXIT_WAIT_MS);
    assert.deepEqual(exit, { code: 1, signal: null });
  });

  test('its stdout and stderr pipes break while a handler logs: it exits with status 1', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'emulator-gone', handler: 'handlers.logsForever' });
    run.api.enqueue({});
    await run.waitForLine(/alive 1/);
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    const exit = await run.waitForExit(EXIT_WAIT_MS);
    assert.deepEqual(exit, { code: 1, signal: null });
  });

  test('its stdout and stderr pipes break and its Runtime API closes while a handler logs: it exits with status 1', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'emulator-gone', handler: 'handlers.logsForever' });
    run.api.enqueue({});
    await run.waitForLine(/alive 1/);
    await run.api.close();
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    const exit = await run.waitForExit(EXIT_WAIT_MS);
    assert.deepEqual(exit, { code: 1, signal: null });
  });
});
