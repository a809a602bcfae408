import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment, type EnvironmentEvent, type LogRecord, type TelemetryEvent } from '../../lib/environment/index.js';
import { makeSpec } from './spec-fixture.js';

const FUNCTION_DIR = fileURLToPath(new URL('../fixtures/extensions/function/', import.meta.url));
const RECORDER_LAYER = fileURLToPath(new URL('../fixtures/extensions/recorder/', import.meta.url));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Waits until a process reaches `state` (signals are delivered asynchronously), at most 30 s. */
async function waitForState(pid: number, state: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  let current = await processState(pid);
  while (current !== state && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    current = await processState(pid);
  }
  return current;
}

async function startWithRecorder(variables: Record<string, string> = {}, overrides: Parameters<typeof makeSpec>[0] extends infer T ? Partial<T> : never = {}) {
  const records: LogRecord[] = [];
  const telemetry: TelemetryEvent[] = [];
  const onEvents: ((event: EnvironmentEvent) => void)[] = [];
  const environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory: FUNCTION_DIR, ...overrides }),
    codeDirectory: FUNCTION_DIR,
    layersDirectory: RECORDER_LAYER,
    functionVariables: variables,
    onLog: (record) => records.push(record),
    onTelemetry: (event) => telemetry.push(event),
    onEvent: (event) => onEvents.forEach((listener) => listener(event)),
  });
  const extensionLines = (): string[] => records.filter((record) => record.type === 'extension').map((record) => record.text);
  return { environment, records, telemetry, extensionLines, onEvents };
}

describe('external extensions', () => {
  it('G.32 H.40 H.46 H.47 start before the runtime, register, see the extension environment, and are reported ready', async () => {
    const { environment, extensionLines, telemetry } = await startWithRecorder();
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const report = await handle.report;
    assert.equal(report.status, 'success');
    const lines = extensionLines();
    assert.ok(lines.includes('recorder env: hidden variables present: [], function: TestStack-Fn-ABCDEFGHIJKL'), lines.join('\n'));
    const registered = lines.find((line) => line.startsWith('recorder registered:'));
    assert.equal(
      registered,
      'recorder registered: 200 {"functionName":"TestStack-Fn-ABCDEFGHIJKL","functionVersion":"$LATEST","handler":"bootstrap","accountId":"123456789012"}',
    );
    const ready = telemetry.find((event) => event.type === 'platform.extension');
    assert.deepEqual(ready?.record, { name: 'recorder', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });
    const types = telemetry.map((event) => event.type).filter((type) => type.startsWith('platform.'));
    assert.deepEqual(types, [
      'platform.initStart',
      'platform.initRuntimeDone',
      'platform.extension',
      'platform.initReport',
      'platform.start',
      'platform.runtimeDone',
      'platform.report',
    ]);
  });

  it('H.43 G.34 an INVOKE event reaches the extension and the invocation ends only when it calls /next again', async () => {
    const { environment, extensionLines } = await startWithRecorder({ EXTENSION_DELAY_MS: '400' });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.equal(response.kind, 'payload');
    const report = await handle.report;
    assert.ok(report.durationMs >= 400, `the extension's time counts: ${report.durationMs} ms`);
    const invoke = extensionLines().find((line) => line.startsWith('recorder event: {"eventType":"INVOKE"'));
    assert.ok(invoke !== undefined);
    const event = JSON.parse(invoke.slice('recorder event: '.length));
    assert.equal(event.requestId, handle.requestId);
    assert.equal(event.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:TestStack-Fn-ABCDEFGHIJKL');
    assert.equal(event.tracing.type, 'X-Amzn-Trace-Id');
    assert.match(event.tracing.value, /^Root=1-/);
    assert.ok(event.deadlineMs > Date.now() - 10_000);
  });

  it('I.49 I.50 shutdown sends SHUTDOWN spindown and waits for the extension to exit', async () => {
    const { environment, extensionLines } = await startWithRecorder();
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    await handle.report;
    const pids = environment.pids;
    assert.equal(pids.length, 2);
    await environment.shutdown();
    const shutdown = extensionLines().find((line) => line.includes('"eventType":"SHUTDOWN"'));
    assert.ok(shutdown !== undefined, extensionLines().join('\n'));
    assert.equal(JSON.parse(shutdown.slice('recorder event: '.length)).shutdownReason, 'spindown');
    for (const pid of pids) assert.ok(!pidAlive(pid), `process ${pid} is gone`);
  });

  it('G.35 I.50 a timeout sends SHUTDOWN timeout, resets, and the next invoke re-initialises the extension too', async () => {
    const { environment, extensionLines } = await startWithRecorder({ SLEEP: '5' }, { timeoutSeconds: 1 });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const report = await handle.report;
    assert.equal(report.status, 'timeout');
    const shutdown = extensionLines().find((line) => line.includes('"eventType":"SHUTDOWN"'));
    assert.equal(JSON.parse(shutdown!.slice('recorder event: '.length)).shutdownReason, 'timeout');
    assert.equal(environment.pids.length, 0, 'nothing of the old environment runs');
  });

  it('freezes the runtime and the extension between invocations and thaws them for the next', async () => {
    const { environment, onEvents } = await startWithRecorder();
    await using _ = environment;
    const frozen = new Promise<void>((resolve) => {
      onEvents.push((event) => {
        if (event.type === 'frozen') resolve();
      });
    });
    await environment.invoke({ payload: Buffer.from('{}') }).report;
    await frozen;
    assert.equal(environment.frozen, true);
    for (const pid of environment.pids) assert.equal(await waitForState(pid, 'T'), 'T', `process ${pid} is stopped`);
    const second = await environment.invoke({ payload: Buffer.from('{}') }).report;
    assert.equal(second.status, 'success');
  });

  it('G.37 an extension that exits during an invoke fails it with Extension.Crash and resets the environment', async () => {
    const codeDirectory = FUNCTION_DIR;
    const environment = await ExecutionEnvironment.start({
      spec: makeSpec({ codeDirectory }),
      codeDirectory,
      layersDirectory: fileURLToPath(new URL('../fixtures/extensions/crasher/', import.meta.url)),
      functionVariables: { SLEEP: '1' },
    });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Extension.Crash');
    assert.match(JSON.parse(response.body.toString()).errorMessage, /Extension crasher exited with error: exit status 2/);
    const report = await handle.report;
    assert.equal(report.status, 'failure');
    assert.equal(environment.pids.length, 0);
  });

  it('G.37 H.45 an extension that posts init/error fails init with Extension.InitError', async () => {
    const codeDirectory = FUNCTION_DIR;
    const environment = await ExecutionEnvironment.start({
      spec: makeSpec({ codeDirectory, timeoutSeconds: 2 }),
      codeDirectory,
      layersDirectory: fileURLToPath(new URL('../fixtures/extensions/init-failer/', import.meta.url)),
      functionVariables: {},
    });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Extension.InitError');
    const report = await handle.report;
    const lines = report.logs.filter((record) => record.type === 'platform').map((record) => record.text);
    assert.ok(lines.some((line) => /^INIT_REPORT .*\tPhase: init\tStatus: error\tError Type: Extension\.InitError$/.test(line)), lines.join('\n'));
    assert.equal(environment.pids.length, 0);
  });
});
