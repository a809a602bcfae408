import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  paginateListFunctions,
  type FunctionConfiguration,
  type InvokeWithResponseStreamResponseEvent,
} from '@aws-sdk/client-lambda';
import type { LogRecord } from '../../lib/environment/index.js';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type InvocationSummary, type LambdaServer } from '../../lib/servers/index.js';
import { Recorder } from './events.js';
import { createServerApp, lambdaClient, NAMED_FUNCTION, processesWithMarker, type ServerApp } from './server-app.js';

const ACCOUNT = '111122223333';

function json(payload: Uint8Array | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
}

async function readEvents(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined) {
  const chunks: string[] = [];
  const completes: NonNullable<InvokeWithResponseStreamResponseEvent['InvokeComplete']>[] = [];
  for await (const event of stream ?? []) {
    if (event.PayloadChunk?.Payload !== undefined) chunks.push(Buffer.from(event.PayloadChunk.Payload).toString('utf8'));
    if (event.InvokeComplete !== undefined) completes.push(event.InvokeComplete);
  }
  return { chunks, completes };
}

async function expectServiceError(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    assert.equal(failure.name, name, failure.message);
    assert.equal(failure.$metadata?.httpStatusCode, status);
    if (message !== undefined) assert.match(failure.message, message);
    return failure;
  }
  assert.fail(`expected ${name}`);
}

describe('start-lambda with the AWS SDK for JavaScript v3', () => {
  let app: ServerApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  const summaries = new Recorder<InvocationSummary>();
  const notices = new Recorder<string>();
  const logs = new Recorder<LogRecord>();

  before(async () => {
    app = await createServerApp();
    local = await app.open({ onLog: logs.push });
    server = await startLambdaServer({
      local,
      onInvocation: summaries.push,
      onNotice: notices.push,
      // Lambda waits minutes between the retries of an Event invocation; a test cannot.
      asyncRetry: { functionErrorDelaysMs: [1, 1], throttleDelayMs: 1 },
    });
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

  it('listens on 127.0.0.1 and answers Invoke with the payload, ExecutedVersion and the request id', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const result = await client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: JSON.stringify({ hello: 'world' }) }));
    assert.equal(result.StatusCode, 200);
    assert.equal(result.ExecutedVersion, '$LATEST');
    assert.equal(result.FunctionError, undefined);
    assert.equal(result.LogResult, undefined);
    const payload = json(result.Payload);
    assert.deepEqual(payload.event, { hello: 'world' });
    assert.equal(payload.greeting, 'hello');
    assert.equal(payload.awsRequestId, result.$metadata.requestId);
    assert.equal(payload.functionName, local.getFunction('Echo').functionName);
  });

  it('finds a function by name, ARN, partial ARN, logical ID or construct path, with $LATEST accepted', async () => {
    const spec = local.getFunction('Named');
    const names = [
      NAMED_FUNCTION,
      spec.functionArn,
      `${spec.functionArn}:$LATEST`,
      `${ACCOUNT}:function:${NAMED_FUNCTION}`,
      `${NAMED_FUNCTION}:$LATEST`,
      spec.logicalId,
      'ServerStack/Named',
      'Named',
      'ServerStack:' + spec.logicalId,
    ];
    for (const name of names) {
      const result = await client.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
      assert.equal(result.StatusCode, 200, name);
      const payload = json(result.Payload);
      assert.equal(payload.functionName, NAMED_FUNCTION, name);
      assert.equal(payload.invokedFunctionArn, name.endsWith(':$LATEST') ? `${spec.functionArn}:$LATEST` : spec.functionArn, name);
    }
    const qualified = await client.send(new InvokeCommand({ FunctionName: NAMED_FUNCTION, Qualifier: '$LATEST', Payload: '{}' }));
    assert.equal(json(qualified.Payload).invokedFunctionArn, `${spec.functionArn}:$LATEST`);
  });

  it('answers ResourceNotFoundException for an unknown function and for a qualifier other than $LATEST', async () => {
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: 'Nope' })),
      'ResourceNotFoundException',
      404,
      new RegExp(`^Function not found: arn:aws:lambda:us-east-1:${ACCOUNT}:function:Nope`),
    );
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: NAMED_FUNCTION, Qualifier: 'live' })), 'ResourceNotFoundException', 404, /:named-echo:live/);
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: `${NAMED_FUNCTION}:3` })), 'ResourceNotFoundException', 404);
    await expectServiceError(client.send(new GetFunctionCommand({ FunctionName: 'Nope' })), 'ResourceNotFoundException', 404);
  });

  it('passes X-Amz-Client-Context to the runtime decoded', async () => {
    const clientContext = { client: { installation_id: 'abc' }, custom: { tenant: 't-1' }, env: { platform: 'test' } };
    const result = await client.send(
      new InvokeCommand({ FunctionName: 'Echo', Payload: '{}', ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64') }),
    );
    assert.deepEqual(json(result.Payload).clientContext, clientContext);
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: '{}', ClientContext: Buffer.from('not json').toString('base64') })),
      'InvalidRequestContentException',
      400,
    );
  });

  it('answers a function error with 200, X-Amz-Function-Error: Unhandled and the error document', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Thrower', Payload: JSON.stringify({ id: 7 }) }));
    assert.equal(result.StatusCode, 200);
    assert.equal(result.FunctionError, 'Unhandled');
    const error = json(result.Payload);
    assert.equal(error.errorType, 'ValidationError');
    assert.equal(error.errorMessage, 'bad input: 7');
    assert.ok(Array.isArray(error.trace));
    const [summary] = await summaries.waitFor((value) => value.requestId === result.$metadata.requestId);
    assert.equal(summary!.status, 'error');
    assert.equal(summary!.errorType, 'ValidationError');
  });

  it('returns the last 4 KB of the log with LogType Tail', async () => {
    const small = await client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: '{"tail":1}', LogType: 'Tail' }));
    const smallLog = Buffer.from(small.LogResult!, 'base64').toString('utf8');
    const requestId = small.$metadata.requestId!;
    assert.match(smallLog, new RegExp(`^START RequestId: ${requestId} Version: \\$LATEST$`, 'm'));
    assert.match(smallLog, /\tINFO\techo \{"tail":1\}$/m);
    assert.match(smallLog, new RegExp(`^END RequestId: ${requestId}$`, 'm'));
    assert.match(smallLog, new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: `, 'm'));

    const big = await client.send(new InvokeCommand({ FunctionName: 'Chatty', Payload: '{"lines":500}', LogType: 'Tail' }));
    const bigLog = Buffer.from(big.LogResult!, 'base64');
    assert.ok(bigLog.length <= 4096 && bigLog.length > 4000, `the tail is 4 KB (${bigLog.length} bytes)`);
    const text = bigLog.toString('utf8');
    assert.match(text, /line 499 x+\n/);
    assert.ok(!text.includes('line 0 '), 'the start of the log is cut');
    assert.match(text, /REPORT RequestId: [^\n]+\n$/);
  });

  it('DryRun answers 204 and runs nothing', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'DryRun', Payload: '{}' }));
    assert.equal(result.StatusCode, 204);
    const requestId = result.$metadata.requestId;
    assert.ok(requestId !== undefined);
    assert.ok(!summaries.values.some((summary) => summary.requestId === requestId));
    assert.ok(!logs.values.some((record) => record.requestId === requestId));
  });

  it('Event answers 202 at once and runs the function in the background', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'Event', Payload: JSON.stringify({ async: true }) }));
    assert.equal(result.StatusCode, 202);
    assert.equal(Buffer.from(result.Payload ?? new Uint8Array()).length, 0);
    const requestId = result.$metadata.requestId!;
    const [summary] = await summaries.waitFor((value) => value.requestId === requestId);
    assert.equal(summary!.invocationType, 'Event');
    assert.equal(summary!.status, 'success');
    assert.ok(logs.values.some((record) => record.requestId === requestId && record.text.endsWith('echo {"async":true}')));
  });

  it('Event retries a function error twice, with the same request id, then drops the event', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Thrower', InvocationType: 'Event', Payload: JSON.stringify({ id: 'async' }) }));
    assert.equal(result.StatusCode, 202);
    const requestId = result.$metadata.requestId!;
    const attempts = await summaries.waitFor((value) => value.requestId === requestId, 3);
    assert.deepEqual(
      attempts.map((summary) => [summary.attempt, summary.status, summary.errorType]),
      [
        [1, 'error', 'ValidationError'],
        [2, 'error', 'ValidationError'],
        [3, 'error', 'ValidationError'],
      ],
    );
    await notices.waitFor((message) => message.includes(requestId) && message.includes('dropped after its retries failed'));
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: Buffer.from('hello there') })),
      'InvalidRequestContentException',
      400,
      /^Could not parse request body into json/,
    );
  });

  it('refuses a payload over 6 MB (1 MB for Event) with RequestTooLargeException', async () => {
    const big = Buffer.from(JSON.stringify({ data: 'x'.repeat(6 * 1024 * 1024) }));
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: big })), 'RequestTooLargeException', 413, /6291456 bytes/);
    const medium = Buffer.from(JSON.stringify({ data: 'x'.repeat(1024 * 1024) }));
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: 'Echo', InvocationType: 'Event', Payload: medium })),
      'RequestTooLargeException',
      413,
      /1048576 bytes/,
    );
    // Just under the synchronous limit still runs.
    const fits = Buffer.from(JSON.stringify({ data: 'x'.repeat(6 * 1024 * 1024 - 100) }));
    const result = await client.send(new InvokeCommand({ FunctionName: 'Chatty', Payload: fits }));
    assert.equal(result.StatusCode, 200);
  });

  it('streams a streaming function with InvokeWithResponseStream: PayloadChunk events, then InvokeComplete', async () => {
    const result = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Streamer', Payload: JSON.stringify({ parts: 3 }), LogType: 'Tail' }));
    assert.equal(result.StatusCode, 200);
    assert.equal(result.ExecutedVersion, '$LATEST');
    assert.equal(result.ResponseStreamContentType, 'text/plain');
    const { chunks, completes } = await readEvents(result.EventStream);
    assert.equal(chunks.join(''), 'part 0\npart 1\npart 2\n');
    assert.ok(chunks.length >= 1);
    assert.equal(completes.length, 1);
    assert.equal(completes[0]!.ErrorCode, undefined);
    const log = Buffer.from(completes[0]!.LogResult!, 'base64').toString('utf8');
    assert.match(log, new RegExp(`^END RequestId: ${result.$metadata.requestId}$`, 'm'));
  });

  it('ends a stream with the function error in InvokeComplete when the handler throws mid-stream', async () => {
    const result = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Streamer', Payload: JSON.stringify({ parts: 3, failAfter: 1 }) }));
    const { chunks, completes } = await readEvents(result.EventStream);
    assert.equal(chunks.join(''), 'part 0\n');
    assert.equal(completes.length, 1);
    assert.equal(completes[0]!.ErrorCode, 'Error');
    assert.equal(completes[0]!.ErrorDetails, 'failed after 1 parts');
    assert.equal(completes[0]!.LogResult, undefined);
  });

  it('ends a stream with Sandbox.Timedout when the function runs past its timeout', async () => {
    const result = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Sleeper', Payload: '{}' }));
    const { chunks, completes } = await readEvents(result.EventStream);
    assert.equal(chunks.join(''), 'started\n');
    assert.equal(completes[0]!.ErrorCode, 'Sandbox.Timedout');
    assert.match(completes[0]!.ErrorDetails!, /Task timed out after 1\.00 seconds$/);
  });

  it('answers InvokeWithResponseStream for a buffered function with its payload as one stream', async () => {
    const result = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Echo', Payload: JSON.stringify({ buffered: true }) }));
    const { chunks, completes } = await readEvents(result.EventStream);
    assert.deepEqual(JSON.parse(chunks.join('')).event, { buffered: true });
    assert.deepEqual(completes.map((complete) => complete.ErrorCode), [undefined]);

    const failed = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Thrower', Payload: '{}' }));
    const failure = await readEvents(failed.EventStream);
    assert.deepEqual(failure.chunks, []);
    assert.equal(failure.completes[0]!.ErrorCode, 'ValidationError');
    assert.equal(failure.completes[0]!.ErrorDetails, 'bad input: none');
  });

  it('buffers a streaming function for a plain Invoke', async () => {
    const result = await client.send(new InvokeCommand({ FunctionName: 'Streamer', Payload: JSON.stringify({ parts: 2 }) }));
    assert.equal(Buffer.from(result.Payload!).toString('utf8'), 'part 0\npart 1\n');
    assert.equal(result.FunctionError, undefined);
  });

  it('GetFunction and GetFunctionConfiguration return the configuration the app declares', async () => {
    const spec = local.getFunction('Named');
    const result = await client.send(new GetFunctionCommand({ FunctionName: NAMED_FUNCTION }));
    const configuration = result.Configuration!;
    assert.equal(configuration.FunctionName, NAMED_FUNCTION);
    assert.equal(configuration.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${NAMED_FUNCTION}`);
    assert.equal(configuration.Runtime, 'nodejs20.x');
    assert.equal(configuration.Handler, 'index.handler');
    assert.equal(configuration.MemorySize, 256);
    assert.equal(configuration.Timeout, 45);
    assert.equal(configuration.Version, '$LATEST');
    assert.equal(configuration.State, 'Active');
    assert.equal(configuration.LastUpdateStatus, 'Successful');
    assert.equal(configuration.PackageType, 'Zip');
    assert.deepEqual(configuration.Architectures, ['arm64']);
    assert.deepEqual(configuration.EphemeralStorage, { Size: 512 });
    assert.deepEqual(configuration.Environment?.Variables, { GREETING: 'named' });
    assert.deepEqual(configuration.TracingConfig, { Mode: 'Active' });
    assert.deepEqual(configuration.LoggingConfig, { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', LogGroup: `/aws/lambda/${NAMED_FUNCTION}` });
    assert.deepEqual(
      configuration.Layers?.map((layer) => layer.Arn),
      spec.layers.map((layer) => layer.arn),
    );
    assert.match(configuration.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.equal(result.Tags?.['aws:cloudformation:logical-id'], spec.logicalId);
    assert.equal(result.Concurrency, undefined);

    const counter = await client.send(new GetFunctionCommand({ FunctionName: 'Counter' }));
    assert.deepEqual(counter.Concurrency, { ReservedConcurrentExecutions: 4 });

    const only = await client.send(new GetFunctionConfigurationCommand({ FunctionName: spec.functionArn }));
    assert.equal(only.FunctionName, NAMED_FUNCTION);
    assert.equal(only.MemorySize, 256);
  });

  it('ListFunctions pages through every function of the app', async () => {
    const listed: FunctionConfiguration[] = [];
    let pages = 0;
    for await (const page of paginateListFunctions({ client, pageSize: 3 }, {})) {
      pages += 1;
      listed.push(...(page.Functions ?? []));
    }
    assert.equal(pages, Math.ceil(local.functions.length / 3));
    assert.deepEqual(
      listed.map((configuration) => configuration.FunctionName).sort(),
      local.functions.map((spec) => spec.functionName).sort(),
    );
    assert.ok(listed.every((configuration) => configuration.State === 'Active' && configuration.Runtime === 'nodejs20.x'));
  });

  it('answers in the service JSON shape with x-amzn-ErrorType, accepting any Authorization header', async () => {
    const response = await fetch(`${server.url}/2015-03-31/functions/Nope/invocations`, {
      method: 'POST',
      headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=whatever', 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.Type, 'User');
    assert.match(String(body.Message), /^Function not found: /);

    const unknown = await fetch(`${server.url}/2015-03-31/functions/Echo/policy`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    await unknown.arrayBuffer();

    const noContentType = await fetch(`${server.url}/2015-03-31/functions/Echo/invocations`, { method: 'POST', body: Buffer.from('{"raw":true}') });
    assert.equal(noContentType.status, 200);
    assert.deepEqual(((await noContentType.json()) as Record<string, unknown>).event, { raw: true });
  });

  it('serves only the functions it is given', async () => {
    await using only = await startLambdaServer({ local, functions: [local.getFunction('Echo')] });
    const onlyClient = lambdaClient(only.url);
    try {
      assert.equal((await onlyClient.send(new InvokeCommand({ FunctionName: 'Echo', Payload: '{}' }))).StatusCode, 200);
      await expectServiceError(onlyClient.send(new InvokeCommand({ FunctionName: 'Thrower', Payload: '{}' })), 'ResourceNotFoundException', 404);
    } finally {
      onlyClient.destroy();
    }
  });

  it('says which option to change when the port is taken', async () => {
    await assert.rejects(startLambdaServer({ local, port: Number(new URL(server.url).port) }), (error: Error) => {
      assert.equal(error.message, `Port ${new URL(server.url).port} on 127.0.0.1 is in use; choose another with --port.`);
      return true;
    });
  });
});
