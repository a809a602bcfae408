// Functions that run away: an endless loop (timeout 900 s), a fork bomb of a few processes
// (in the runtime's process group, and in sessions of their own), a memory hog far past its
// MemorySize. Each is contained and reported, and the other functions keep answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda, LogRecord } from '../../lib/index.js';
import { createStressApp, eventually, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

/** How long processes may take to go once close() has resolved (or a reset has begun). */
const CLEANUP_WAIT_MS = 30_000;
/** The longest any single step may take before the test calls it a hang. */
const STEP_TIMEOUT_MS = 30_000;

/** Rejects after `timeoutMs` with `what`, so a hang fails the test with a reason. */
function within<T>(promise: Promise<T>, what: string, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Log lines, and a way to wait for one that has not come yet. */
class LogWatch {
  readonly lines: string[] = [];
  readonly #waiters = new Set<{ text: string; resolve: () => void }>();

  readonly onLog = (record: LogRecord): void => {
    this.lines.push(record.text);
    for (const waiter of this.#waiters) {
      if (record.text.includes(waiter.text)) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  /** Resolves when a line containing `text` is logged (or has been). */
  seen(text: string): Promise<void> {
    if (this.lines.some((line) => line.includes(text))) return Promise.resolve();
    return within(new Promise((resolve) => this.#waiters.add({ text, resolve })), `the log line '${text}'`);
  }
}

// Plain processes, and bubblewrap's sandbox (a PID namespace) where it works ('auto').
for (const sandbox of [false, 'auto'] as const) {
describe(`runaway functions are contained and reported, and the others keep answering (sandbox: ${sandbox})`, () => {
  let app: StressApp;
  let local: LocalLambda | undefined;

  const echo = async (id: number): Promise<void> => {
    const result = await within(local!.invoke(StressFunctions.echo, { event: { id } }), `echo #${id}`);
    assert.equal(result.error, undefined, `echo #${id} answers (${result.error?.errorMessage})`);
    assert.equal((result.payload as { id: number }).id, id);
  };

  before(async () => {
    app = await createStressApp();
  });

  after(async () => {
    await local?.close();
    if (app !== undefined) {
      await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), CLEANUP_WAIT_MS);
      await app.remove();
    }
  });

  it('an endless loop with a 900 s timeout: the others answer while it spins, close() stops it and answers its caller', async () => {
    const logs = new LogWatch();
    local = await app.open({ sandbox, onLog: logs.onLog });
    const spinning = await local.start(StressFunctions.spinner, { payload: Buffer.from('{"id":1}') });
    await logs.seen('spinning 1');
    for (let i = 0; i < 10; i++) await echo(100 + i);
    await within(local.close(), 'close() with a function spinning');
    const response = await within(spinning.response, 'the spinning invocation’s answer');
    assert.equal(response.kind, 'function-error', 'the caller is told the invocation failed');
    await within(spinning.report.catch(() => undefined), 'the spinning invocation’s report');
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), CLEANUP_WAIT_MS);
  });

  it('a fork bomb in the runtime’s process group: contained while frozen, gone with its environment', async () => {
    local = await app.open({ sandbox });
    const result = await within(local.invoke(StressFunctions.forkBomb, { event: { children: 3 } }), 'the fork bomb');
    assert.equal(result.error, undefined, result.error?.errorMessage);
    const started = await processesWithMarker(app.marker);
    // The runtime, 3 shells, 6 sleeps: all carry the function's environment.
    assert.ok(started.length >= 10, `${started.length} processes of the function`);
    for (let i = 0; i < 5; i++) await echo(200 + i);
    await within(local.close(), 'close() after a fork bomb');
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), [], 'every process of the bomb is gone'), CLEANUP_WAIT_MS);
  });

  it('a fork bomb whose processes start sessions of their own: gone with its environment too', async () => {
    local = await app.open({ sandbox });
    const result = await within(local.invoke(StressFunctions.forkBomb, { event: { children: 3, escape: true } }), 'the fork bomb');
    assert.equal(result.error, undefined, result.error?.errorMessage);
    for (let i = 0; i < 5; i++) await echo(300 + i);
    await within(local.close(), 'close() after a fork bomb');
    let left: number[] = [];
    try {
      await eventually(async () => {
        left = await processesWithMarker(app.marker);
        assert.deepEqual(left, [], 'every process of the bomb is gone');
      }, CLEANUP_WAIT_MS);
    } finally {
      // What outlived its environment was started by this test: end it here, by pid.
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
  });

  it('a memory hog past its MemorySize: stopped and reported as Runtime.OutOfMemory, the others answer, the next invoke gets a fresh environment', async () => {
    local = await app.open({ sandbox });
    const hog = local.invoke(StressFunctions.memoryHog, { event: { id: 1, action: 'hog' } });
    for (let i = 0; i < 5; i++) await echo(400 + i);
    const result = await within(hog, 'the memory hog');
    assert.equal(result.error?.errorType, 'Runtime.OutOfMemory', JSON.stringify(result.error));
    assert.equal(result.report.status, 'error');
    assert.ok(result.report.maxMemoryUsedMb >= 128, `REPORT says ${result.report.maxMemoryUsedMb} MB used of 128`);
    const after = await within(local.invoke(StressFunctions.memoryHog, { event: { id: 2 } }), 'the next invoke');
    assert.equal(after.error, undefined, after.error?.errorMessage);
    assert.equal(after.report.initDurationMs !== undefined, true, 'a fresh environment (a cold start)');
    await within(local.close(), 'close()');
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), CLEANUP_WAIT_MS);
  });
});
}
