// The Python runtime client after its emulator is gone (cdk-local killed by SIGKILL): it
// exits by itself, whether it learns it from its Runtime API (a refused or cut connection)
// or from its output (a broken pipe), instead of lingering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startPythonRuntime } from './python-runtime.js';

const EXIT_WAIT_MS = 15_000;

describe('python runtime: the emulator is gone', () => {
  it('its Runtime API closes while the runtime waits on /next: it exits with status 1', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'emulator-gone' });
    await runtime.api.waitForNextCalls(1);
    await runtime.api.close();
    assert.deepEqual(await runtime.waitForExit(EXIT_WAIT_MS), { code: 1, signal: null });
    assert.match(runtime.stderr, /invocation\/next at .* failed/);
  });

  it('its stdout and stderr pipes break while a handler prints (and ignores its print errors): it exits with status 1', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'emulator-gone', handler: 'app.prints_forever' });
    runtime.api.enqueue();
    await runtime.waitForStdout('a first line', (stdout) => stdout.includes('alive 1'), EXIT_WAIT_MS);
    runtime.child.stdout?.destroy();
    runtime.child.stderr?.destroy();
    assert.deepEqual(await runtime.waitForExit(EXIT_WAIT_MS), { code: 1, signal: null });
  });
});
