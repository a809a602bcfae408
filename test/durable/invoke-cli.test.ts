import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startLambdaServer } from '../../lib/servers/index.js';
import { CLI_PATH, REPO_ROOT } from '../helpers/example-app.js';
import type { MarkedApp } from '../helpers/marked-app.js';
import { limitRun, runCli, withinLimit } from '../helpers/run-cli.js';
import { TEST_RUNTIME_CACHE } from '../runtimes/provision/fake-services.js';
import { createDurableApp, lambdaClient, processesWithMarker, WORKFLOW } from './durable-app.js';

const ENV = { CDK_LOCAL_CACHE_DIR: TEST_RUNTIME_CACHE };

describe('cdk-local invoke of a durable function', { timeout: 600_000 }, () => {
  let app: MarkedApp;

  before(async () => {
    app = await createDurableApp();
  });

  after(async () => {
    assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlived cdk-local');
    await app.remove();
  });

  const common = (): string[] => ['--app', app.assembly, '--env-vars', app.envVarsFile, '--no-sandbox'];

  it('runs the execution to its end and prints its result; --durable-time-scale 0 ends waits at once', async () => {
    // In the sandbox where bubblewrap works, as users run it: the function reaches cdk-local's Lambda API from there.
    const run = await runCli(['invoke', WORKFLOW, '--app', app.assembly, '--env-vars', app.envVarsFile, '--durable-time-scale', '0', '--event-json', JSON.stringify({ name: 'Bo', waitSeconds: 3600, failOnce: true, chained: 'plain' })], { env: ENV });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { greeting: 'hello Bo', flaky: 'attempt 2 ok', child: { plain: true, got: { value: 21 } } });
    assert.match(run.stderr, /^cdk-local: durable execution arn:aws:lambda:us-east-1:111122223333:function:durable-workflow:\$LATEST\/durable-execution\//m);
    // What differs from Lambda is said once at run time.
    assert.equal(run.stderr.match(/durable executions are kept in memory while cdk-local runs \(Lambda keeps them 14 days\).*scaled by 0\./g)?.length, 1, run.stderr);
  });

  it('refuses a negative time scale in one sentence', async () => {
    const run = await runCli(['invoke', WORKFLOW, ...common(), '--durable-time-scale', '-1'], { env: ENV });
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /--durable-time-scale must be a number from 0 up/);
  });

  it('prints the callback it waits for, which another terminal answers with cdk-local callback succeed', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'invoke', WORKFLOW, ...common(), '--durable-time-scale', '0', '--event-json', JSON.stringify({ callback: true })], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const limit = limitRun(child, 'cdk-local invoke (callback)', () => `stdout: ${stdout}\nstderr: ${stderr}`);
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const hinted = new Promise<RegExpExecArray>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /answer it with: cdk-local callback succeed (\S+) --result '<json>' --endpoint-url (\S+)/.exec(stderr);
        if (found !== null) resolve(found);
      });
    });
    const exitCode = await withinLimit(
      (async () => {
        const [, callbackId, endpoint] = await hinted;
        const answered = await runCli(['callback', 'succeed', callbackId!, '--result', '"approved"', '--endpoint-url', endpoint!]);
        assert.equal(answered.exitCode, 0, answered.stderr);
        return closed;
      })(),
      limit,
    );
    assert.equal(exitCode, 0, stderr);
    assert.equal(JSON.parse(stdout).approval, '"approved"');
  });

  it('shows, follows and stops an execution of a running start-lambda with cdk-local execution, and heartbeats its callback', async () => {
    const local = await app.open();
    const server = await startLambdaServer({ local });
    const client = lambdaClient(server.url);
    try {
      const started = await client.send(new InvokeCommand({ FunctionName: `${WORKFLOW}:$LATEST`, InvocationType: 'Event', Payload: JSON.stringify({ callback: true, waitSeconds: 0 }) }));
      const arn = started.DurableExecutionArn!;
      const execution = server.durable.get(arn);
      const deadline = Date.now() + 120_000;
      while (execution.callbacks.size === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const [callbackId] = execution.callbacks.keys();
      assert.ok(callbackId !== undefined, 'the execution reached its callback');

      const got = await runCli(['execution', 'get', arn, '--endpoint-url', server.url]);
      assert.equal(got.exitCode, 0, got.stderr);
      assert.equal(JSON.parse(got.stdout).Status, 'RUNNING');
      const heartbeat = await runCli(['callback', 'heartbeat', callbackId, '--endpoint-url', server.url]);
      assert.equal(heartbeat.exitCode, 0, heartbeat.stderr);
      const history = await runCli(['execution', 'history', arn, '--endpoint-url', server.url]);
      assert.equal(history.exitCode, 0, history.stderr);
      assert.ok((JSON.parse(history.stdout).Events as { EventType: string }[]).some((event) => event.EventType === 'CallbackStarted'));
      const stopped = await runCli(['execution', 'stop', arn, '--error', '{"ErrorType":"Cancelled","ErrorMessage":"no"}', '--endpoint-url', server.url]);
      assert.equal(stopped.exitCode, 0, stopped.stderr);
      assert.equal(execution.status, 'STOPPED');
      const late = await runCli(['callback', 'succeed', callbackId, '--result', '1', '--endpoint-url', server.url]);
      assert.equal(late.exitCode, 2);
      assert.match(late.stderr, /InvalidParameterValueException: Callback .* has already completed/);
    } finally {
      client.destroy();
      await server.close();
      await local.close();
    }
  });

  it('says how to reach start-lambda when nothing answers at the endpoint', async () => {
    const run = await runCli(['execution', 'get', 'arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST/durable-execution/a/b', '--endpoint-url', 'http://127.0.0.1:9']);
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /Nothing answers at http:\/\/127\.0\.0\.1:9 .*start cdk-local start-lambda there/);
  });
});
