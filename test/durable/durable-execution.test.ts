import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DurableApiError } from '../../lib/durable/index.js';
import { DurableExecution } from '../../lib/durable/durable-execution.js';
import type { OperationUpdate } from '../../lib/durable/wire.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function newExecution(timeScale = 1): DurableExecution {
  return new DurableExecution({
    arn: 'arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST/durable-execution/n/1',
    name: 'n',
    functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST',
    version: '$LATEST',
    input: '{"a":1}',
    executionTimeoutSeconds: 60,
    timeScale,
    nowMs: NOW,
  });
}

function refused(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof DurableApiError && error.errorType === 'InvalidParameterValueException' && message.test(error.message));
}

describe('the durable execution state machine', () => {
  it('gives each invocation a token that each checkpoint replaces, and refuses an old one', () => {
    const execution = newExecution();
    const { token, operations } = execution.beginInvocation();
    assert.equal(operations.length, 1);
    assert.equal(operations[0]?.Type, 'EXECUTION');
    assert.equal(operations[0]?.ExecutionDetails?.InputPayload, '{"a":1}');
    const first = execution.checkpoint(token, [{ Id: 's1', Type: 'STEP', Action: 'START', Name: 'one' }], NOW + 1);
    assert.notEqual(first.token, token);
    refused(() => execution.checkpoint(token, [], NOW + 2), /Invalid checkpoint token/);
    const second = execution.checkpoint(first.token, [{ Id: 's1', Type: 'STEP', Action: 'SUCCEED', Payload: '"x"' }], NOW + 3);
    assert.equal(second.operations[0]?.Status, 'SUCCEEDED');
    assert.equal(second.operations[0]?.StepDetails?.Result, '"x"');
    assert.equal(second.operations[0]?.StepDetails?.Attempt, 1);
    execution.endInvocation('r1', NOW, NOW + 4);
    refused(() => execution.checkpoint(second.token, [], NOW + 5), /Invalid checkpoint token/);
  });

  it('schedules a wait at its scaled end and gives the next invocation what changed meanwhile', () => {
    const execution = newExecution(0.5);
    const { token } = execution.beginInvocation();
    const { operations, effects } = execution.checkpoint(token, [{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 10 } }], NOW);
    assert.equal(operations[0]?.WaitDetails?.ScheduledEndTimestamp, NOW + 5000);
    assert.deepEqual(effects.timers, [{ id: 'w', atMs: NOW + 5000, kind: 'wait' }]);
    execution.endInvocation('r1', NOW, NOW);
    assert.equal(execution.hasNews, false);
    execution.completeWait('w', NOW + 5000);
    assert.equal(execution.hasNews, true);
    const next = execution.beginInvocation();
    assert.deepEqual(next.updatedOperationIds, ['w']);
    assert.equal(next.operations.find((operation) => operation.Id === 'w')?.Status, 'SUCCEEDED');
  });

  it('moves a retried step through PENDING and READY, counting its attempts', () => {
    const execution = newExecution();
    let { token } = execution.beginInvocation();
    const retry = execution.checkpoint(token, [{ Id: 's', Type: 'STEP', Action: 'RETRY', Error: { ErrorMessage: 'no' }, StepOptions: { NextAttemptDelaySeconds: 2 } }], NOW);
    assert.equal(retry.operations[0]?.Status, 'PENDING');
    assert.equal(retry.operations[0]?.StepDetails?.Attempt, 1);
    assert.equal(retry.operations[0]?.StepDetails?.NextAttemptTimestamp, NOW + 2000);
    execution.endInvocation('r1', NOW, NOW);
    execution.readyStep('s');
    ({ token } = execution.beginInvocation());
    const done = execution.checkpoint(token, [{ Id: 's', Type: 'STEP', Action: 'START' }, { Id: 's', Type: 'STEP', Action: 'SUCCEED', Payload: '1' }], NOW + 2000);
    assert.equal(done.operations[0]?.Status, 'SUCCEEDED');
    assert.equal(done.operations[0]?.StepDetails?.Attempt, 2);
    assert.deepEqual(
      execution.events.map((event) => event.EventType),
      ['ExecutionStarted', 'StepFailed', 'InvocationCompleted', 'StepStarted', 'StepSucceeded'],
    );
  });

  it('refuses what the service refuses: a second start, two updates of one wait, a parent that is not a context', () => {
    const execution = newExecution();
    const { token } = execution.beginInvocation();
    const { token: next } = execution.checkpoint(token, [{ Id: 'w', Type: 'WAIT', Action: 'START', WaitOptions: { WaitSeconds: 1 } }], NOW);
    refused(() => execution.checkpoint(next, [{ Id: 'w', Type: 'WAIT', Action: 'START' }], NOW), /Invalid current WAIT state to start/);
    const twice: OperationUpdate[] = [
      { Id: 'c', Type: 'CALLBACK', Action: 'START' },
      { Id: 'c', Type: 'CALLBACK', Action: 'CANCEL' },
    ];
    refused(() => execution.checkpoint(next, twice, NOW), /same operation twice/);
    refused(() => execution.checkpoint(next, [{ Id: 'x', ParentId: 'w', Type: 'STEP', Action: 'START' }], NOW), /Invalid parent operation id/);
    refused(() => execution.checkpoint(next, [{ Id: 'x', Type: 'STEP', Action: 'CANCEL' }], NOW), /Invalid action 'CANCEL' for a STEP/);
    // A refused checkpoint changes nothing: the token still holds.
    assert.equal(execution.checkpoint(next, [], NOW).operations.length, 0);
  });

  it('hides the children of a closed child context that does not replay them', () => {
    const execution = newExecution();
    const { token } = execution.beginInvocation();
    execution.checkpoint(
      token,
      [
        { Id: 'ctx', Type: 'CONTEXT', Action: 'START' },
        { Id: 'inner', ParentId: 'ctx', Type: 'STEP', Action: 'SUCCEED', Payload: '1' },
      ],
      NOW,
    );
    assert.equal(execution.visibleOperations().length, 3);
    const { token: second } = execution.checkpoint(execution.beginInvocation().token, [{ Id: 'ctx', Type: 'CONTEXT', Action: 'SUCCEED', Payload: '1' }], NOW);
    assert.ok(second.length > 0);
    assert.deepEqual(
      execution.visibleOperations().map((operation) => operation.Id),
      [execution.executionOperationId, 'ctx'],
    );
  });

  it('closes on an EXECUTION checkpoint, whatever id the SDK gave it, with its result', () => {
    const execution = newExecution();
    const { token } = execution.beginInvocation();
    const { effects } = execution.checkpoint(token, [{ Id: 'execution-result-1', Type: 'EXECUTION', Action: 'SUCCEED', Payload: '"big"' }], NOW);
    assert.equal(effects.closed, true);
    assert.equal(execution.status, 'SUCCEEDED');
    assert.equal(execution.result, '"big"');
    assert.equal(execution.events.at(-1)?.EventType, 'ExecutionSucceeded');
  });
});
