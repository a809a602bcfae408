import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EnvironmentEvent } from '../../lib/environment/index.js';
import { FunctionHost } from '../../lib/host/function-host.js';
import { makeSpec, runtimeFixture } from '../environment/spec-fixture.js';
import { processesWithMarker } from '../helpers/marked-app.js';

/** Resolves with the first event that matches, from now on; rejects after `timeoutMs`. */
function nextEvent(listeners: Set<(event: EnvironmentEvent) => void>, matches: (event: EnvironmentEvent) => boolean, timeoutMs: number): Promise<EnvironmentEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listeners.delete(listener);
      reject(new Error(`No matching environment event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: EnvironmentEvent): void => {
      if (!matches(event)) return;
      clearTimeout(timer);
      listeners.delete(listener);
      resolve(event);
    };
    listeners.add(listener);
  });
}

describe('idle timeout of a function host', () => {
  it('shuts down an environment idle past the idle timeout; the next invocation is a cold start', async () => {
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-idle-timeout-'));
    const codeDirectory = runtimeFixture('provided', 'echo');
    const listeners = new Set<(event: EnvironmentEvent) => void>();
    const marker = randomUUID();
    const host = new FunctionHost({
      spec: makeSpec({ codeDirectory, timeoutSeconds: 30 }),
      cacheDirectory,
      functionVariables: { IDLE_TIMEOUT_MARKER: marker },
      idleTimeoutMs: 200,
      onEvent: (event) => listeners.forEach((listener) => listener(event)),
    });
    try {
      const first = await host.invoke({ payload: Buffer.from('{"n":1}') });
      const reclaimed = nextEvent(listeners, (event) => event.type === 'shutdown', 30_000);
      const firstReport = await first.report;
      assert.equal(firstReport.status, 'success');
      assert.ok(firstReport.initDurationMs !== undefined, 'the first invocation is a cold start');

      await reclaimed;
      assert.equal(host.environmentCount, 0, 'the idle environment is gone from the pool');
      assert.deepEqual(await processesWithMarker('IDLE_TIMEOUT_MARKER', marker), [], 'its runtime is gone');

      const second = await host.invoke({ payload: Buffer.from('{"n":2}') });
      const response = await second.response;
      assert.equal(response.kind === 'payload' && response.body.toString(), '{"n":2}');
      const secondReport = await second.report;
      assert.equal(secondReport.status, 'success');
      assert.ok(secondReport.initDurationMs !== undefined, 'the next invocation is a cold start again');
      assert.ok(secondReport.logs.some((record) => record.type === 'platform' && record.text.startsWith('INIT_START')));
    } finally {
      await host.close();
      assert.deepEqual(await processesWithMarker('IDLE_TIMEOUT_MARKER', marker), [], 'nothing outlives close()');
      await rm(cacheDirectory, { recursive: true, force: true });
    }
  });
});
