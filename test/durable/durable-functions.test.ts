import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CheckpointDurableExecutionCommand,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvokeCommand,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { CloudDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../lib/servers/index.js';
import type { MarkedApp } from '../helpers/marked-app.js';
import { createDurableApp, lambdaClient, processesWithMarker, WORKFLOW } from './durable-app.js';

/** Generous: the first run fetches Node.js 22 and the durable execution SDK into the test cache. */
const TEST_TIMEOUT_MS = 600_000;

async function expectServiceError(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(failure.name, name, failure.message);
    assert.equal(failure.$metadata?.httpStatusCode, status);
    if (message !== undefined) assert.match(failure.message, message);
    return;
  }
  assert.fail(`expected ${name}`);
}

describe('durable functions on start-lambda, with AWS durable execution SDK and its cloud test runner', { timeout: TEST_TIMEOUT_MS }, () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  const logs: string[] = [];

  before(async () => {
    app = await createDurableApp();
    local = await app.open({ onLog: (record, spec) => logs.push(`[${spec.functionName}] ${record.text}`) });
    server = await startLambdaServer({ local });
    client = lambdaClient(server.url);
  });

  after(async () => {
    client?.destroy();
    await server?.close();
    await local?.close();
    assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlived the test');
    await app?.remove();
  });

  it('runs a workflow with steps, a wait, a retried step and a chained invoke to its result (RequestResponse)', async () => {
    const runner = new CloudDurableTestRunner<{ greeting: string; flaky: string; child: { doubled: number } }>({
      functionName: `${WORKFLOW}:$LATEST`,
      client,
      config: { pollInterval: 200 },
    });
    const execution = await runner.run({ payload: { name: 'Ada', failOnce: true, waitSeconds: 1, chained: 'child' } });
    assert.equal(execution.getStatus(), 'SUCCEEDED', logs.join('\n'));
    assert.deepEqual(execution.getResult(), { greeting: 'hello Ada', flaky: 'attempt 2 ok', child: { doubled: 42 } });

    const greet = runner.getOperation('greet');
    assert.equal(greet.getStatus(), 'SUCCEEDED');
    assert.equal(greet.getStepDetails()?.result, 'hello Ada');
    const pause = runner.getOperation('pause');
    assert.equal(pause.getType(), 'WAIT');
    assert.equal(pause.getStatus(), 'SUCCEEDED');
    assert.equal(pause.getWaitDetails()?.waitSeconds, 1);
    const flaky = runner.getOperation('flaky');
    assert.equal(flaky.getStatus(), 'SUCCEEDED');
    const flakyEvents = (flaky.getEvents() ?? []).map((event) => event.EventType).filter((type) => type !== 'StepStarted');
    assert.deepEqual(flakyEvents, ['StepFailed', 'StepSucceeded'], 'the step failed once and succeeded on its retry');
    const child = runner.getOperation('child');
    assert.equal(child.getType(), 'CHAINED_INVOKE');
    assert.equal(child.getStatus(), 'SUCCEEDED');
    // The child is a durable function of the app: it ran as an execution of its own.
    const children = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'child' }));
    assert.equal(children.DurableExecutions?.length, 1);
    assert.equal(children.DurableExecutions?.[0]?.Status, 'SUCCEEDED');

    // The wait and the retry each suspended the execution: the function ran more than once.
    assert.ok(execution.getInvocations().length >= 3, `invocations: ${execution.getInvocations().length}`);
    const types = execution.getHistoryEvents().map((event) => event.EventType);
    assert.equal(types[0], 'ExecutionStarted');
    assert.equal(types.at(-1), 'ExecutionSucceeded');
    for (const type of ['StepSucceeded', 'WaitStarted', 'WaitSucceeded', 'StepFailed', 'ChainedInvokeStarted', 'ChainedInvokeSucceeded', 'InvocationCompleted']) {
      assert.ok(types.includes(type as never), `${type} in ${types.join(', ')}`);
    }
  });

  it('waits for a callback answered through the AWS SDK (Event)', async () => {
    const runner = new CloudDurableTestRunner<{ approval: unknown }>({
      functionName: `${WORKFLOW}:$LATEST`,
      client,
      config: { pollInterval: 200, invocationType: 'Event' },
    });
    const running = runner.run({ payload: { callback: true, waitSeconds: 0 } });
    const approval = runner.getOperation('approval');
    await approval.waitForData(WaitingOperationStatus.STARTED);
    const callbackId = approval.getCallbackDetails()?.callbackId;
    assert.ok(callbackId !== undefined && callbackId !== '', 'the callback has an id');
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: Buffer.from(JSON.stringify({ approved: true })) }));
    const execution = await running;
    assert.equal(execution.getStatus(), 'SUCCEEDED', logs.join('\n'));
    // waitForCallback hands the callback's result over as the text it was sent.
    assert.deepEqual(JSON.parse(String(execution.getResult()?.approval)), { approved: true });
    // An answered callback is not answered twice.
    await expectServiceError(client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: Buffer.from('1') })), 'InvalidParameterValueException', 400);
  });

  it('times a callback out after its timeout, which fails the execution', async () => {
    const runner = new CloudDurableTestRunner({ functionName: `${WORKFLOW}:$LATEST`, client, config: { pollInterval: 200, invocationType: 'Event' } });
    const execution = await runner.run({ payload: { callback: true, waitSeconds: 0, callbackTimeoutSeconds: 1 } });
    assert.equal(execution.getStatus(), 'FAILED', logs.join('\n'));
    const types = execution.getHistoryEvents().map((event) => event.EventType);
    assert.ok(types.includes('CallbackTimedOut'), types.join(', '));
    assert.equal(types.at(-1), 'ExecutionFailed');
  });

  it('refuses a durable invoke without a qualifier, as the service does', async () => {
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: WORKFLOW, Payload: JSON.stringify({}) })),
      'InvalidParameterValueException',
      400,
      /cannot invoke a durable function using an unqualified ARN/,
    );
  });

  it('starts one execution per DurableExecutionName and input, and refuses the name with another input', async () => {
    const invoke = (payload: unknown) =>
      client.send(new InvokeCommand({ FunctionName: WORKFLOW, Qualifier: '$LATEST', InvocationType: 'Event', DurableExecutionName: 'order-42', Payload: JSON.stringify(payload) }));
    const first = await invoke({ waitSeconds: 0, name: 'once' });
    const again = await invoke({ waitSeconds: 0, name: 'once' });
    assert.equal(first.StatusCode, 202);
    assert.ok(first.DurableExecutionArn?.includes('/durable-execution/order-42/'), first.DurableExecutionArn);
    assert.equal(again.DurableExecutionArn, first.DurableExecutionArn);
    await expectServiceError(invoke({ waitSeconds: 0, name: 'other' }), 'DurableExecutionAlreadyStartedException', 409);

    const listed = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: WORKFLOW, DurableExecutionName: 'order-42' }));
    assert.deepEqual(
      listed.DurableExecutions?.map((execution) => execution.DurableExecutionArn),
      [first.DurableExecutionArn],
    );
  });

  it('answers GetDurableExecution, history, and stops an execution that waits for a callback', async () => {
    const started = await client.send(
      new InvokeCommand({ FunctionName: `${WORKFLOW}:$LATEST`, InvocationType: 'Event', Payload: JSON.stringify({ callback: true, waitSeconds: 0 }) }),
    );
    const arn = started.DurableExecutionArn!;
    // The callback starts once the function has run up to it.
    const deadline = Date.now() + 120_000;
    let waiting = false;
    while (!waiting && Date.now() < deadline) {
      const history = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }));
      waiting = (history.Events ?? []).some((event) => event.EventType === 'CallbackStarted');
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(waiting, 'the execution reached its callback');
    const running = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }));
    assert.equal(running.Status, 'RUNNING');
    assert.equal(running.FunctionArn, `arn:aws:lambda:us-east-1:111122223333:function:${WORKFLOW}:$LATEST`);
    assert.deepEqual(JSON.parse(running.InputPayload ?? ''), { callback: true, waitSeconds: 0 });

    const stopped = await client.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn, Error: { ErrorType: 'Cancelled', ErrorMessage: 'by the test' } }));
    assert.ok(stopped.StopTimestamp instanceof Date);
    const after = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }));
    assert.equal(after.Status, 'STOPPED');
    assert.equal(after.Error?.ErrorType, 'Cancelled');
    assert.ok(after.EndTimestamp instanceof Date);
    const history = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
    assert.equal(history.Events?.at(-1)?.EventType, 'ExecutionStopped');
    await expectServiceError(client.send(new GetDurableExecutionCommand({ DurableExecutionArn: `${arn}x` })), 'ResourceNotFoundException', 404);
  });

  it('refuses a checkpoint with a token that is not the current one', async () => {
    const started = await client.send(new InvokeCommand({ FunctionName: `${WORKFLOW}:$LATEST`, InvocationType: 'Event', Payload: JSON.stringify({ callback: true, waitSeconds: 0 }) }));
    await expectServiceError(
      client.send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: started.DurableExecutionArn, CheckpointToken: 'stale', Updates: [] })),
      'InvalidParameterValueException',
      400,
      /Invalid checkpoint token/,
    );
    await client.send(new StopDurableExecutionCommand({ DurableExecutionArn: started.DurableExecutionArn }));
  });
});
