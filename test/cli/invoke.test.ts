import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { synthesizeExampleApp } from '../helpers/example-app.js';
import { processesWithMarker } from '../helpers/marked-app.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const REPORT = /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB\t/m;

describe('cdk-local invoke on the example app', () => {
  let assembly: string;
  let remove: () => Promise<void>;
  let scratch: string;
  let envVars: string;
  const marker = randomUUID();

  before(async () => {
    ({ directory: assembly, remove } = await synthesizeExampleApp());
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-cli-'));
    // Every function of these runs carries a marker, so the test can find its processes.
    envVars = join(scratch, 'env.json');
    await writeFile(envVars, JSON.stringify({ Parameters: { CDK_LOCAL_TEST_MARKER: marker } }));
  });

  after(async () => {
    await remove();
    await rm(scratch, { recursive: true, force: true });
  });

  async function invoke(name: string, ...extra: string[]): Promise<CliRun> {
    return runCli(['invoke', name, '--app', assembly, '--env-vars', envVars, ...extra]);
  }

  async function assertNoProcessLeft(): Promise<void> {
    assert.deepEqual(await processesWithMarker('CDK_LOCAL_TEST_MARKER', marker), [], 'no runtime process of this test outlived cdk-local');
  }

  it('prints the response on stdout and the logs with START, END and REPORT on stderr', async () => {
    const run = await invoke('Hello', '--event', 'examples/events/hello.json');
    assert.equal(run.exitCode, 0, run.stderr);
    const payload = JSON.parse(run.stdout);
    assert.equal(payload.message, 'Hello, Ada!');
    assert.deepEqual(payload.event, { name: 'Ada' });
    assert.match(payload.tableName, /^DemoStack-Table[A-Za-z0-9]*-[A-Z0-9]+$/);
    assert.match(payload.tableArn, /^arn:aws:dynamodb:eu-west-1:\d{12}:table\/DemoStack-Table/);
    assert.equal(payload.region, 'eu-west-1');
    assert.match(run.stderr, /^INIT_START Runtime Version: nodejs:20/m);
    assert.match(run.stderr, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    assert.match(run.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tINFO\tHello invoked with \{"name":"Ada"\}$/m);
    assert.match(run.stderr, /^END RequestId: /m);
    assert.match(run.stderr, REPORT);
    assert.match(run.stderr, /Memory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/m);
    assert.ok(!run.stdout.includes('START'), 'stdout carries only the response');
    await assertNoProcessLeft();
  });

  it('names a function by construct path, path without the stack, logical ID, Stack:LogicalId and FunctionName', async () => {
    for (const name of ['DemoStack/Orders/Api/Handler', 'Orders/Api/Handler', 'OrdersApiHandler2CC0686B', 'DemoStack:OrdersApiHandler2CC0686B', 'orders-api']) {
      const run = await invoke(name, '--event', 'examples/events/orders.json');
      assert.equal(run.exitCode, 0, `${name}: ${run.stderr}`);
    }
  });

  it('runs inline code, an esbuild bundle, a nested stack function, a staged function and a layer', async () => {
    for (const [name, event] of [
      ['Inline', 'inline'],
      ['Bundled', 'bundled'],
      ['Workers/Nested', 'nested'],
      ['Prod/ApiStack/Staged', 'staged'],
      ['WithLayer', 'with-layer'],
    ] as const) {
      const run = await invoke(name, '--event', `examples/events/${event}.json`);
      assert.equal(run.exitCode, 0, `${name}: ${run.stderr}`);
      assert.doesNotThrow(() => JSON.parse(run.stdout), `${name} printed JSON`);
      assert.match(run.stderr, REPORT);
    }
  });

  it("a function with an external extension: the extension's output beside the function's", async () => {
    const run = await invoke('Observed', '--event', 'examples/events/observed.json');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { observed: true });
    assert.match(run.stderr, /^\[telemetry-recorder\] subscribed: 200 "OK"$/m);
    assert.match(run.stderr, /^\[telemetry-recorder\] function .*\tINFO\tObserved handling \{"watch":"me"\}$/m);
    assert.match(run.stderr, /^\[telemetry-recorder\] platform\.runtimeDone \{"requestId":/m);
    assert.match(run.stderr, /^\[telemetry-recorder\] shutting down \(spindown\)$/m);
    await assertNoProcessLeft();
  });

  it('a handler that throws: the error document on stdout, exit code 1', async () => {
    const run = await invoke('Thrower', '--event', 'examples/events/thrower.json');
    assert.equal(run.exitCode, 1);
    const error = JSON.parse(run.stdout);
    assert.equal(error.errorType, 'ValidationError');
    assert.match(error.errorMessage, /is not valid/);
    assert.ok(Array.isArray(error.trace));
    assert.match(run.stderr, /\tERROR\tAbout to throw/);
    assert.match(run.stderr, REPORT);
  });

  it('a handler that hangs: Sandbox.Timedout after its timeout, exit code 1, nothing left running', async () => {
    const run = await invoke('Sleeper', '--event', 'examples/events/sleeper.json');
    assert.equal(run.exitCode, 1);
    const error = JSON.parse(run.stdout);
    assert.equal(error.errorType, 'Sandbox.Timedout');
    assert.match(error.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 2\.00 seconds$/);
    assert.match(run.stderr, /Task timed out after 2\.00 seconds$/m);
    assert.match(run.stderr, /\tStatus: timeout$/m);
    await assertNoProcessLeft();
  });

  it('a handler that exits: Runtime.ExitError, exit code 1', async () => {
    const run = await invoke('Crasher', '--event', 'examples/events/crasher.json');
    assert.equal(run.exitCode, 1);
    const error = JSON.parse(run.stdout);
    assert.equal(error.errorType, 'Runtime.ExitError');
    assert.match(error.errorMessage, /Runtime exited with error: exit status 1$/);
    assert.match(run.stderr, /\tStatus: error\tError Type: Runtime\.ExitError$/m);
  });

  it('a handler that prints a megabyte: every line reaches stderr, the response still arrives', async () => {
    const run = await invoke('Chatty', '--event', 'examples/events/chatty.json');
    assert.equal(run.exitCode, 0, run.stderr.slice(-2000));
    assert.equal(JSON.parse(run.stdout).lines, 10_000);
    assert.equal(run.stderr.match(/\tINFO\tline \d+ x+$/gm)?.length, 10_000);
  });

  it('reads the event from stdin and from --event-json; the default event is {}', async () => {
    const fromStdin = await runCli(['invoke', 'Hello', '--app', assembly, '--event', '-'], { input: '{"name":"Stdin"}' });
    assert.equal(fromStdin.exitCode, 0, fromStdin.stderr);
    assert.equal(JSON.parse(fromStdin.stdout).message, 'Hello, Stdin!');
    const inline = await invoke('Hello', '--event-json', '{"name":"Inline"}');
    assert.equal(JSON.parse(inline.stdout).message, 'Hello, Inline!');
    const none = await invoke('Hello');
    assert.deepEqual(JSON.parse(none.stdout).event, {});
  });

  it('an unknown function: one sentence with the closest names, exit code 2', async () => {
    const run = await invoke('Helo');
    assert.equal(run.exitCode, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^cdk-local: No function 'Helo'.*Hello/m);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  });

  it('a malformed event: one sentence naming the file, exit code 2', async () => {
    const bad = join(scratch, 'bad.json');
    await writeFile(bad, '{"name": ');
    const run = await invoke('Hello', '--event', bad);
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /^cdk-local: The event from '.*bad\.json' is not valid JSON/m);
    const missing = await invoke('Hello', '--event', join(scratch, 'nope.json'));
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /Cannot read the event file/);
  });

  it('--env-vars overrides a variable, sets an undeclared one, and null unsets one', async () => {
    const file = join(scratch, 'override.json');
    await writeFile(file, JSON.stringify({ Hello4A628BD4: { GREETING: 'Howdy', TABLE_NAME: null } }));
    const run = await runCli(['invoke', 'Hello', '--app', assembly, '--env-vars', file, '--event-json', '{"name":"Env"}']);
    assert.equal(run.exitCode, 0, run.stderr);
    const payload = JSON.parse(run.stdout);
    assert.equal(payload.message, 'Howdy, Env!');
    assert.equal(payload.tableName, undefined);
  });

  it('usage errors exit 2 with a pointer to --help', async () => {
    const run = await runCli(['invoke']);
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /--help/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.exitCode, 2);
  });
});

describe('cdk-local list', () => {
  let assembly: string;
  let remove: () => Promise<void>;
  before(async () => {
    ({ directory: assembly, remove } = await synthesizeExampleApp());
  });
  after(async () => remove());

  it('--json prints every function with path, logicalId, stack, runtime, handler, memorySize, timeout', async () => {
    const run = await runCli(['list', '--app', assembly, '--json']);
    assert.equal(run.exitCode, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    const hello = rows.find((row) => row.path === 'DemoStack/Hello');
    assert.deepEqual(
      { ...hello, functionName: undefined },
      { path: 'DemoStack/Hello', logicalId: 'Hello4A628BD4', stack: 'DemoStack', runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 256, timeout: 30, functionName: undefined, triggers: [] },
    );
    assert.ok(rows.some((row) => row.path === 'Prod/ApiStack/Staged'));
    assert.ok(rows.some((row) => row.path === 'DemoStack/Workers/Nested'));
    assert.ok(rows.some((row) => row.runtime === 'python3.12'));
  });

  it('prints a table by default', async () => {
    const run = await runCli(['list', '--app', assembly]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^PATH\s+LOGICAL ID\s+RUNTIME\s+HANDLER\s+MEMORY\s+TIMEOUT$/m);
    assert.match(run.stdout, /^DemoStack\/Orders\/Api\/Handler\s+OrdersApiHandler2CC0686B\s+nodejs20\.x/m);
  });

  it('without cdk.json or --app: one sentence saying what to do, exit code 2', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'cdk-local-empty-'));
    try {
      const run = await runCli(['list'], { cwd: empty });
      assert.equal(run.exitCode, 2);
      assert.match(run.stderr, /cdk\.json/);
      assert.match(run.stderr, /--app/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
