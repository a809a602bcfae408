// The context object and the per-invocation environment (_X_AMZN_TRACE_ID), built from /next's headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonBody, startPythonRuntime, TEST_FUNCTION_ARN } from './python-runtime.js';

interface ContextFields {
  aws_request_id: string;
  function_name: string;
  function_version: string;
  invoked_function_arn: string;
  memory_limit_in_mb: string;
  log_group_name: string;
  log_stream_name: string;
  tenant_id: string | null;
  remaining_before: number;
  remaining_after: number;
  client_context: unknown;
  identity: unknown;
  trace_id_env: string | null;
  repr: string;
}

const TRACE_ID = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';

describe('python runtime: context', () => {
  it('gives the handler the function, request, deadline, caller and trace of each invocation', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'context' });
    // Far enough away that a busy machine cannot eat much of it before the handler runs.
    const deadlineMs = Date.now() + 600_000;
    const requestId = runtime.api.enqueue({
      deadlineMs,
      invokedFunctionArn: `${TEST_FUNCTION_ARN}:live`,
      traceId: TRACE_ID,
      clientContext: JSON.stringify({
        custom: { cart: 'c-1' },
        env: { platform: 'Android' },
        client: { installation_id: 'install-1', app_title: 'Shop' },
      }),
      cognitoIdentity: JSON.stringify({ cognitoIdentityId: 'us-east-1:id-1', cognitoIdentityPoolId: 'us-east-1:pool-1' }),
      tenantId: 'tenant-a',
    });

    const fields = jsonBody(await runtime.api.waitForResult(requestId)) as ContextFields;
    assert.deepEqual(
      { ...fields, remaining_before: 0, remaining_after: 0, repr: '' },
      {
        aws_request_id: requestId,
        function_name: 'test-function',
        function_version: '$LATEST',
        invoked_function_arn: `${TEST_FUNCTION_ARN}:live`,
        memory_limit_in_mb: '128',
        log_group_name: '/aws/lambda/test-function',
        log_stream_name: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
        tenant_id: 'tenant-a',
        remaining_before: 0,
        remaining_after: 0,
        client_context: {
          custom: { cart: 'c-1' },
          env: { platform: 'Android' },
          client: { installation_id: 'install-1', app_title: 'Shop' },
        },
        identity: { cognito_identity_id: 'us-east-1:id-1', cognito_identity_pool_id: 'us-east-1:pool-1' },
        trace_id_env: TRACE_ID,
        repr: '',
      },
    );
    assert.ok(fields.remaining_before > 300_000 && fields.remaining_before <= 600_000, String(fields.remaining_before));
    assert.ok(fields.remaining_before - fields.remaining_after >= 40, `${fields.remaining_before} then ${fields.remaining_after}`);
    assert.ok(fields.repr.startsWith(`LambdaContext([aws_request_id=${requestId},log_group_name=/aws/lambda/test-function,`), fields.repr);
    assert.match(fields.repr, /identity=CognitoIdentity\(\[cognito_identity_id=us-east-1:id-1,cognito_identity_pool_id=us-east-1:pool-1\]\)/);
  });

  it('clears what the previous invocation had: trace id, client context, identity; remaining time is never negative', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'context' });
    const first = runtime.api.enqueue({ traceId: TRACE_ID, tenantId: 'tenant-a' });
    assert.equal((jsonBody(await runtime.api.waitForResult(first)) as ContextFields).trace_id_env, TRACE_ID);

    const second = runtime.api.enqueue({ deadlineMs: Date.now() - 1_000 });
    const fields = jsonBody(await runtime.api.waitForResult(second)) as ContextFields;
    assert.equal(fields.trace_id_env, null);
    assert.equal(fields.client_context, null);
    assert.equal(fields.tenant_id, null);
    assert.deepEqual(fields.identity, { cognito_identity_id: null, cognito_identity_pool_id: null });
    assert.equal(fields.remaining_before, 0);
    assert.equal(fields.remaining_after, 0);
  });

  it('a Client-Context header that is not JSON is Runtime.LambdaContextUnmarshalError', async (t) => {
    const runtime = await startPythonRuntime(t, { fixture: 'context' });
    const requestId = runtime.api.enqueue({ clientContext: 'not json' });
    assert.deepEqual(jsonBody(await runtime.api.waitForResult(requestId)), {
      errorMessage: 'Unable to parse Client Context JSON: Expecting value: line 1 column 1 (char 0)',
      errorType: 'Runtime.LambdaContextUnmarshalError',
      requestId,
      stackTrace: [],
    });
  });
});
