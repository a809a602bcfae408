import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../lib/servers/index.js';
import type { MarkedApp } from '../helpers/marked-app.js';
import { Barrier, MAX_CONCURRENCY, createManagedApp, processesWithMarker } from '../host/managed-instances-app.js';
import { lambdaClient } from './server-app.js';

interface Answer {
  readonly id: string;
  readonly pid: number;
  readonly instance: string;
  readonly requestId: string;
  readonly released: string;
}

function decode(payload: Uint8Array | undefined): unknown {
  return JSON.parse(Buffer.from(payload ?? []).toString('utf8'));
}

describe('start-lambda: Lambda Managed Instances through the AWS SDK (docs/conformance.md Y)', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  let barrier: Barrier;

  before(async () => {
    app = await createManagedApp();
    local = await app.open();
    server = await startLambdaServer({ local });
    client = lambdaClient(server.url);
    barrier = await Barrier.start();
  });

  after(async () => {
    client?.destroy();
    await barrier?.[Symbol.asyncDispose]();
    await Promise.all([server?.close(), local?.close()]);
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no process outlives close()');
      await app.remove();
    }
  });

  it('Y.158 Y.159 four concurrent InvokeCommands are served by one process, each caller getting its own answer and request id', { timeout: 180_000 }, async () => {
    const url = barrier.url('sdk-four', MAX_CONCURRENCY);
    const ids = ['s1', 's2', 's3', 's4'];
    const results = await Promise.all(
      ids.map((id, index) =>
        client.send(new InvokeCommand({ FunctionName: 'Concurrent', Payload: JSON.stringify({ id, barrier: url, fail: index === 2 }) })),
      ),
    );
    const answers = results.map((result) => decode(result.Payload) as Answer & { errorMessage?: string });
    for (const [index, result] of results.entries()) {
      assert.equal(result.StatusCode, 200);
      if (index === 2) {
        assert.equal(result.FunctionError, 'Unhandled', 'the failing one fails alone');
        assert.equal(answers[index]!.errorMessage, 'invocation s3 failed on purpose');
        continue;
      }
      assert.equal(result.FunctionError, undefined);
      assert.equal(answers[index]!.id, ids[index], 'each caller gets the answer to its own event');
      assert.equal(answers[index]!.requestId, result.$metadata.requestId, 'the answer of its own invocation');
      assert.equal(answers[index]!.released, `all ${MAX_CONCURRENCY} together`, 'all four were inside the handler at once');
    }
    const served = answers.filter((_answer, index) => index !== 2);
    assert.equal(new Set(served.map((answer) => answer.instance)).size, 1, 'one process served them');
    assert.equal(new Set(results.map((result) => result.$metadata.requestId)).size, 4);
    assert.deepEqual(local.environmentCount('Concurrent'), { current: 1, peak: 1 });
  });

  it('Y.157 GetFunctionConfiguration returns the function\'s CapacityProviderConfig', async () => {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'Concurrent' }));
    assert.deepEqual(configuration.CapacityProviderConfig, {
      LambdaManagedInstancesCapacityProviderConfig: {
        CapacityProviderArn: 'arn:aws:lambda:us-east-1:111122223333:capacity-provider:local-test',
        PerExecutionEnvironmentMaxConcurrency: MAX_CONCURRENCY,
        ExecutionEnvironmentMemoryGiBPerVCpu: 2,
      },
    });
  });
});
