import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, TooManyRequestsException, type LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type InvocationSummary, type LambdaServer } from '../../lib/servers/index.js';
import { Recorder } from './events.js';
import { createServerApp, lambdaClient, processesWithMarker, type ServerApp } from './server-app.js';

const INVOCATIONS = 200;
const CALLERS = 16;
const RESERVED = 4;

describe('start-lambda under concurrent load', () => {
  let app: ServerApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  const summaries = new Recorder<InvocationSummary>();

  before(async () => {
    app = await createServerApp();
    local = await app.open();
    server = await startLambdaServer({ local, onInvocation: summaries.push });
    client = lambdaClient(server.url);
  });

  after(async () => {
    client?.destroy();
    await Promise.all([server?.close(), local?.close()]);
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
  });

  it(`${INVOCATIONS} invocations from ${CALLERS} callers to a function with reserved concurrency ${RESERVED}: answered or throttled, never lost`, async (t) => {
    assert.equal(local.getFunction('Counter').reservedConcurrency, RESERVED);
    const answered = new Map<number, string>();
    const throttled = new Set<number>();
    const requestIds = new Set<string>();
    let next = 0;

    const logicalId = local.getFunction('Counter').logicalId;
    const isCounterSuccess = (summary: InvocationSummary): boolean => summary.spec.logicalId === logicalId && summary.status === 'success';

    const caller = async (): Promise<void> => {
      while (next < INVOCATIONS) {
        const n = next++;
        const finishedBefore = summaries.values.filter(isCounterSuccess).length;
        try {
          const result = await client.send(new InvokeCommand({ FunctionName: 'Counter', Payload: JSON.stringify({ n, workMs: 5 }) }));
          assert.equal(result.StatusCode, 200);
          assert.equal(result.FunctionError, undefined);
          const payload = JSON.parse(Buffer.from(result.Payload!).toString('utf8')) as { n: number };
          assert.equal(payload.n, n, 'each caller gets the answer to its own event');
          assert.ok(!answered.has(n), `event ${n} answered twice`);
          answered.set(n, result.$metadata.requestId!);
          requestIds.add(result.$metadata.requestId!);
        } catch (error) {
          if (!(error instanceof TooManyRequestsException)) throw error;
          assert.equal(error.$metadata.httpStatusCode, 429);
          assert.equal(error.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
          assert.equal(error.Type, 'User');
          throttled.add(n);
          // A throttled caller moves on once an environment is free again, as a client backing
          // off would; otherwise the 12 callers without one spin through the events in a moment.
          await summaries.waitFor(isCounterSuccess, finishedBefore + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));

    assert.equal(answered.size + throttled.size, INVOCATIONS, 'every invocation was answered or throttled');
    for (let n = 0; n < INVOCATIONS; n++) assert.ok(answered.has(n) !== throttled.has(n), `event ${n} has exactly one outcome`);
    assert.equal(requestIds.size, answered.size, 'every answer has its own request id');
    assert.ok(answered.size > 0, 'some invocations ran');
    assert.ok(throttled.size > 0, `${CALLERS} callers against ${RESERVED} environments are throttled`);
    const { peak } = local.environmentCount('Counter');
    assert.ok(peak >= 1 && peak <= RESERVED, `at most ${RESERVED} environments ever ran (peak ${peak})`);

    // The server's own account matches what the callers saw: one report per answer, one line per throttle.
    const ran = await summaries.waitFor((summary) => summary.spec.logicalId === logicalId && summary.status === 'success', answered.size);
    assert.deepEqual(new Set(ran.map((summary) => summary.requestId)), requestIds);
    assert.equal(summaries.values.filter((summary) => summary.spec.logicalId === logicalId && summary.status === 'throttled').length, throttled.size);
    t.diagnostic(`${answered.size} answered, ${throttled.size} throttled, peak ${peak} environments`);
  });
});
