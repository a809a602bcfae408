// How a CDK developer tests their own stack with cdk-local: build the stack, run its functions
// as Lambda would, and assert on what they return, what they log and what Lambda reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { LocalLambda } from '../../lib/index.js';
import { DemoStack } from '../lib/demo-stack.js';

test('DemoStack functions run locally', async (t) => {
  const app = new App();
  const stack = new DemoStack(app, 'DemoStack');
  await using local = await LocalLambda.fromStack(stack);

  await t.test('lists every function, nested ones included', () => {
    const paths = local.functions.map((fn) => fn.constructPath);
    for (const path of ['DemoStack/Hello', 'DemoStack/Workers/Nested', 'DemoStack/Orders/Api/Handler', 'DemoStack/Thrower']) {
      assert.ok(paths.includes(path), `${path} not in ${paths.join(', ')}`);
    }
  });

  await t.test('Hello returns the event and its resolved environment', async () => {
    const result = await local.invoke('Hello', { event: { name: 'test' } });

    assert.equal(result.error, undefined);
    assert.match(result.requestId, /^[0-9a-f-]{36}$/);
    const payload = result.payload as Record<string, unknown>;
    assert.equal(payload.message, 'Hello, test!');
    assert.deepEqual(payload.event, { name: 'test' });
    assert.equal(payload.requestId, result.requestId);
    assert.deepEqual(JSON.parse(result.rawPayload.toString('utf8')), payload);

    // Ref and Fn::GetAtt resolve to names CloudFormation would make, not to logical IDs.
    const tableName = payload.tableName as string;
    assert.match(tableName, /^DemoStack-Table[A-Za-z0-9]*-[A-Za-z0-9]+$/);
    assert.notEqual(tableName, stack.getLogicalId(stack.table.node.defaultChild as CfnTable));
    assert.match(payload.tableArn as string, new RegExp(`^arn:aws:dynamodb:[a-z0-9-]+:\\d{12}:table/${tableName}$`));

    assert.ok(
      result.logs.some((line) => line.includes(result.requestId) && line.includes('Hello invoked with {"name":"test"}')),
      `no handler log line in:\n${result.logs.join('\n')}`,
    );
    assert.ok(!result.logs.some((line) => /^(START|END|REPORT) RequestId:/.test(line)), 'platform lines in logs');

    assert.equal(result.report.status, 'success');
    assert.equal(result.report.memorySizeMb, 256);
    assert.ok(result.report.durationMs > 0);
    assert.ok(result.report.billedDurationMs >= Math.ceil(result.report.durationMs));
    // Node.js alone takes tens of MB; less than 10 would be a measurement that failed.
    assert.ok(result.report.maxMemoryUsedMb >= 10 && result.report.maxMemoryUsedMb <= 256, `Max Memory Used ${result.report.maxMemoryUsedMb} MB`);
    assert.equal(typeof result.report.initDurationMs, 'number', 'first invoke is a cold start');
  });

  await t.test('a second Hello invoke is warm', async () => {
    const result = await local.invoke('Hello', { event: { name: 'again' } });
    assert.equal((result.payload as { message: string }).message, 'Hello, again!');
    assert.equal(result.report.initDurationMs, undefined);
  });

  await t.test('Thrower returns its error as data', async () => {
    const result = await local.invoke('Thrower', { event: { orderId: 'o-404' } });

    assert.equal(result.report.status, 'error');
    assert.ok(result.error);
    assert.equal(result.error.errorType, 'ValidationError');
    assert.equal(result.error.errorMessage, 'Order o-404 is not valid');
    assert.ok(result.error.trace && result.error.trace.length > 0, 'error has a stack trace');
    assert.match(result.error.trace[0] ?? '', /ValidationError: Order o-404 is not valid/);
    assert.ok(result.logs.some((line) => line.includes('About to throw')));
  });
});
