// How an extension author tests an extension: run the function that carries it in a layer,
// and assert on what the extension received from the Telemetry API and what it printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import { LocalLambda, type TelemetryEvent } from '../../lib/index.js';
import { DemoStack } from '../lib/demo-stack.js';

test('the telemetry-recorder extension receives the invocation’s telemetry', async () => {
  const app = new App();
  const stack = new DemoStack(app, 'DemoStack');
  const extensionOutput: string[] = [];
  await using local = await LocalLambda.fromStack(stack, {
    onLog: (record) => {
      if (record.type === 'extension') extensionOutput.push(record.text);
    },
  });

  // The extension registers during the cold start of the invoke below: the wait covers that
  // start-up, so it gets room for a busy machine.
  const registered = local.waitFor((event) => event.type === 'extension-registered' && event.name === 'telemetry-recorder', { timeoutMs: 120_000 });
  const result = await local.invoke('Observed', { event: { watch: 'me' } });
  await registered;
  assert.equal(result.error, undefined);
  assert.deepEqual(result.payload, { observed: true });

  // What the extension printed: one line per telemetry event it was sent.
  const printed = result.records.filter((record) => record.type === 'extension').map((record) => record.text);
  assert.ok(printed.includes('[telemetry-recorder] subscribed: 200 "OK"'), printed.join('\n'));
  const received = (type: string): string[] => printed.filter((line) => line.startsWith(`[telemetry-recorder] ${type} `));
  assert.equal(received('platform.initStart').length, 1, 'init events from before the subscription are replayed');
  assert.equal(received('platform.telemetrySubscription').length, 1);
  assert.ok(received('platform.start').some((line) => line.includes(result.requestId)));
  assert.ok(received('function').some((line) => line.includes('Observed handling {"watch":"me"}')), 'the function’s own log line');
  const runtimeDone = received('platform.runtimeDone').map((line) => JSON.parse(line.slice('[telemetry-recorder] platform.runtimeDone '.length)));
  assert.equal(runtimeDone.length, 1);
  assert.equal(runtimeDone[0].requestId, result.requestId);
  assert.equal(runtimeDone[0].status, 'success');
  assert.deepEqual(
    runtimeDone[0].spans.map((span: { name: string }) => span.name),
    ['responseLatency', 'responseDuration', 'runtimeOverhead'],
  );

  // The same events, as cdk-local captured them for the test.
  const types = result.telemetry.map((event: TelemetryEvent) => event.type);
  for (const type of ['platform.initStart', 'platform.extension', 'platform.start', 'function', 'platform.runtimeDone', 'platform.report']) {
    assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
  }
  const extensionReady = result.telemetry.find((event) => event.type === 'platform.extension');
  assert.deepEqual(extensionReady?.record, { name: 'telemetry-recorder', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });

  // At shutdown the extension gets SHUTDOWN and says so before it exits.
  const shutdown = local.waitFor((event) => event.type === 'shutdown' && event.constructPath === 'DemoStack/Observed', { timeoutMs: 60_000 });
  await Promise.all([local.close(), shutdown]);
  assert.equal(extensionOutput.at(-1), '[telemetry-recorder] shutting down (spindown)');
});
