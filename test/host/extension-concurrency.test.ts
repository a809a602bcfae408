import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, isCdkLocalError } from '../../lib/errors.js';
import { FunctionHost } from '../../lib/host/function-host.js';
import { makeSpec } from '../environment/spec-fixture.js';
import { processesWithMarker } from '../helpers/marked-app.js';

const FUNCTION_DIR = fileURLToPath(new URL('../fixtures/extensions/function/', import.meta.url));
const RECORDER_LAYER = fileURLToPath(new URL('../fixtures/extensions/recorder/', import.meta.url));

function isThrottle(reason: unknown): boolean {
  return isCdkLocalError(reason) && reason.code === ErrorCodes.TOO_MANY_REQUESTS;
}

describe('a function with an external extension, on this machine’s network', () => {
  // In a network namespace of its own (test/environment/sandbox-network.test.ts) the rule goes away.
  it('runs one invocation at a time: a concurrent one is throttled, with one notice', async () => {
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-extension-concurrency-'));
    const marker = randomUUID();
    const notices: string[] = [];
    const host = new FunctionHost({
      spec: makeSpec({
        codeDirectory: FUNCTION_DIR,
        timeoutSeconds: 30,
        layers: [{ arn: 'arn:aws:lambda:us-east-1:123456789012:layer:recorder:1', code: { kind: 'directory', path: RECORDER_LAYER } }],
      }),
      cacheDirectory,
      functionVariables: { EXTENSION_CONCURRENCY_MARKER: marker },
      onNotice: (message) => notices.push(message),
      sandbox: false,
    });
    try {
      // Two at once on a cold function: the first starts the one environment, the second is throttled.
      const cold = await Promise.allSettled([host.invoke({ payload: Buffer.from('{"n":1}') }), host.invoke({ payload: Buffer.from('{"n":2}') })]);
      const started = cold.filter((result) => result.status === 'fulfilled');
      const throttled = cold.filter((result) => result.status === 'rejected');
      assert.equal(started.length, 1, 'one of the two runs');
      assert.equal(throttled.length, 1, 'the other is throttled');
      assert.ok(isThrottle(throttled[0]!.reason), String(throttled[0]!.reason));
      assert.match((throttled[0]!.reason as Error).message, /external extensions.*one invocation at a time/);
      assert.equal((await started[0]!.value.report).status, 'success');

      // Warm: one after the other reuses the environment; two at once, the second is throttled.
      assert.equal((await (await host.invoke({ payload: Buffer.from('{"n":3}') })).report).status, 'success');
      const warm = await Promise.allSettled([host.invoke({ payload: Buffer.from('{"n":4}') }), host.invoke({ payload: Buffer.from('{"n":5}') })]);
      assert.equal(warm[0].status, 'fulfilled');
      assert.equal(warm[1].status, 'rejected');
      assert.ok(warm[1].status === 'rejected' && isThrottle(warm[1].reason), 'the second warm one is throttled');
      assert.ok(warm[0].status === 'fulfilled' && (await warm[0].value.report).status === 'success');

      assert.equal(host.concurrencyLimit, 1);
      assert.equal(host.peakEnvironments, 1, 'never more than one environment');
      const extensionNotices = notices.filter((notice) => /external extensions/.test(notice));
      assert.equal(extensionNotices.length, 1, `one notice: ${JSON.stringify(notices)}`);
      assert.match(extensionNotices[0]!, /^TestStack\/Fn has external extensions, which bind fixed ports on the shared network: it runs one invocation at a time\.$/);
    } finally {
      await host.close();
      assert.deepEqual(await processesWithMarker('EXTENSION_CONCURRENCY_MARKER', marker), [], 'nothing outlives close()');
      await rm(cacheDirectory, { recursive: true, force: true });
    }
  });
});
