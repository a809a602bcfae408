// The context object and _X_AMZN_TRACE_ID, from the /next headers and the environment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import { startBootstrap } from './start-bootstrap.js';

interface SeenContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  remainingTimeInMillis: number;
  clientContext: unknown;
  identity: unknown;
  tenantId: string | null;
  callbackWaitsForEmptyEventLoop: boolean | null;
  succeed: string;
  traceId: string | null;
}

const TRACE_ID = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';

describe('context', () => {
  test('carries the invocation headers and the function’s variables, and the trace id per invocation', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.context' });
    const deadlineMs = Date.now() + 60_000;
    const first = run.api.enqueue({
      deadlineMs,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live',
      traceId: TRACE_ID,
      clientContext: '{"client":{"installation_id":"abc"},"custom":{"tier":"gold"}}',
      cognitoIdentity: '{"cognitoIdentityId":"eu-west-1:1234","cognitoIdentityPoolId":"eu-west-1:pool"}',
      tenantId: 'tenant-7',
    });
    const seen = JSON.parse(bodyText(await run.api.waitForOutcome(first))) as SeenContext;
    assert.equal(seen.awsRequestId, first);
    assert.equal(seen.functionName, 'fixture');
    assert.equal(seen.functionVersion, '$LATEST');
    assert.equal(seen.invokedFunctionArn, 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live');
    assert.equal(seen.memoryLimitInMB, '256');
    assert.equal(seen.logGroupName, '/aws/lambda/fixture');
    assert.equal(seen.logStreamName, '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef');
    assert.ok(seen.remainingTimeInMillis > 50_000 && seen.remainingTimeInMillis <= 60_000, `remaining ${seen.remainingTimeInMillis} ms`);
    assert.deepEqual(seen.clientContext, { client: { installation_id: 'abc' }, custom: { tier: 'gold' } });
    assert.deepEqual(seen.identity, { cognitoIdentityId: 'eu-west-1:1234', cognitoIdentityPoolId: 'eu-west-1:pool' });
    assert.equal(seen.tenantId, 'tenant-7');
    assert.equal(seen.callbackWaitsForEmptyEventLoop, true);
    assert.equal(seen.succeed, 'function');
    assert.equal(seen.traceId, TRACE_ID);

    const second = run.api.enqueue();
    const next = JSON.parse(bodyText(await run.api.waitForOutcome(second))) as SeenContext;
    assert.equal(next.awsRequestId, second);
    assert.equal(next.traceId, null, '_X_AMZN_TRACE_ID must not outlive its invocation');
    assert.equal(next.clientContext, null);
    assert.equal(next.tenantId, null);
  });

  test('on Node.js 24 the context has no callback members', async (t) => {
    const run = await startBootstrap(t, {
      codeDir: 'invoke',
      handler: 'handlers.context',
      env: { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
    });
    const requestId = run.api.enqueue();
    const seen = JSON.parse(bodyText(await run.api.waitForOutcome(requestId))) as SeenContext;
    assert.equal(seen.awsRequestId, requestId);
    assert.equal(seen.callbackWaitsForEmptyEventLoop, null);
    assert.equal(seen.succeed, 'undefined');
  });

  test('a client context that is not JSON fails the invocation', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.context' });
    const requestId = run.api.enqueue({ clientContext: 'not json' });
    const outcome = await run.api.waitForOutcome(requestId);
    assert.ok(outcome.path.endsWith('/error'));
    assert.match((JSON.parse(bodyText(outcome)) as { errorMessage: string }).errorMessage, /^Cannot parse ClientContext as json: SyntaxError/);
  });
});
