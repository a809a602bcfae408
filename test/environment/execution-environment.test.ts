import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionEnvironment, type InvocationReport, type LogRecord } from '../../lib/environment/index.js';
import { makeSpec, runtimeFixture } from './spec-fixture.js';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startFixture(name: string, overrides: Parameters<typeof makeSpec>[0] extends infer T ? Partial<T> : never = {}) {
  const codeDirectory = runtimeFixture('provided', name);
  const records: LogRecord[] = [];
  const environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory, ...overrides }),
    codeDirectory,
    functionVariables: { FROM_FUNCTION: 'yes' },
    onLog: (record) => records.push(record),
  });
  return { environment, records };
}

function platformLines(report: InvocationReport): string[] {
  return report.logs.filter((record) => record.type === 'platform').map((record) => record.text);
}

describe('ExecutionEnvironment with a shell-and-curl custom runtime', () => {
  it('G.32 initialises on first invoke, echoes the payload bytes, and reuses the warm runtime', async () => {
    const { environment } = await startFixture('echo');
    await using _ = environment;
    const first = environment.invoke({ payload: Buffer.from('{"hello": "world"}') });
    const response = await first.response;
    assert.equal(response.kind, 'payload');
    assert.equal(response.kind === 'payload' && response.body.toString(), '{"hello": "world"}');
    const report = await first.report;
    assert.equal(report.status, 'success');
    assert.ok(report.initDurationMs !== undefined && report.initDurationMs > 0);
    // A shell measures one or two MB, so the figure itself says little here (the memory-hog test
    // checks that it is measured); the REPORT line must carry the same figure as the report.
    const lines = platformLines(report);
    assert.ok(lines[3]!.includes(`\tMax Memory Used: ${report.maxMemoryUsedMb} MB\t`), lines[3]);
    assert.match(lines[0]!, /^INIT_START Runtime Version: provided:al2023\.v1\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    assert.equal(lines[1], `START RequestId: ${first.requestId} Version: $LATEST`);
    assert.equal(lines[2], `END RequestId: ${first.requestId}`);
    assert.match(
      lines[3]!,
      /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/,
    );
    assert.ok(report.logs.some((record) => record.type === 'function' && record.text === `handling ${first.requestId}`));

    const second = environment.invoke({ payload: Buffer.from('2') });
    const secondReport = await second.report;
    assert.equal(secondReport.initDurationMs, undefined, 'a warm invoke has no init duration');
    assert.ok(!platformLines(secondReport).some((line) => line.startsWith('INIT_START')));
  });

  it('G.35 times out at the deadline with Sandbox.Timedout, kills the runtime and re-initialises next time', async () => {
    const { environment } = await startFixture('hang', { timeoutSeconds: 1 });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.equal(response.kind, 'function-error');
    assert.ok(response.kind === 'function-error');
    assert.deepEqual(JSON.parse(response.body.toString()), {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${handle.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const report = await handle.report;
    assert.equal(report.status, 'timeout');
    const lines = platformLines(report);
    assert.ok(lines.some((line) => new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${handle.requestId} Task timed out after 1\\.00 seconds$`).test(line)));
    assert.match(lines.at(-1)!, /\tStatus: timeout$/);
    assert.equal(report.durationMs, 1000, 'K.65 a timed-out invocation lasts its timeout');
    assert.equal(report.billedDurationMs, Math.ceil(1000 + report.initDurationMs!));
    const runtimeDone = report.telemetry.find((event) => event.type === 'platform.runtimeDone');
    assert.equal((runtimeDone?.record as { status?: string } | undefined)?.status, 'timeout', 'K.64 runtimeDone at the reset');
    const reportRecord = report.telemetry.find((event) => event.type === 'platform.report')?.record as { status: string; metrics: Record<string, number> };
    assert.equal(reportRecord.status, 'timeout');
    assert.equal(reportRecord.metrics.durationMs, 1000);

    const next = environment.invoke({ payload: Buffer.from('{}') });
    const nextReport = await next.report;
    assert.ok(platformLines(nextReport).some((line) => line.startsWith('INIT_START')), 'the next invoke re-initialises');
  });

  it('G.36 reports Runtime.ExitError with the exit status when the runtime exits during an invoke', async () => {
    const { environment } = await startFixture('exit-during-invoke');
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.deepEqual(JSON.parse(response.body.toString()), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${handle.requestId} Error: Runtime exited with error: exit status 7`,
    });
    const report = await handle.report;
    assert.equal(report.status, 'error');
    assert.match(platformLines(report).at(-1)!, /\tStatus: error\tError Type: Runtime\.ExitError$/);
  });

  it('G.33 and G.38 retry a failed init inside the invoke and give the caller the init error body', async () => {
    const { environment } = await startFixture('init-error');
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Runtime.ConfigError');
    assert.deepEqual(JSON.parse(response.body.toString()), { errorMessage: 'missing configuration', errorType: 'Runtime.ConfigError' });
    const report = await handle.report;
    const lines = platformLines(report);
    const initReports = lines.filter((line) => line.startsWith('INIT_REPORT'));
    assert.equal(initReports.length, 2);
    assert.match(initReports[0]!, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime\.ConfigError$/);
    assert.match(initReports[1]!, /\tPhase: invoke\tStatus: error\tError Type: Runtime\.ConfigError$/);
    assert.ok(lines.indexOf(initReports[1]!) > lines.findIndex((line) => line.startsWith('START')), 'the retry runs inside the invocation');
    assert.match(lines.at(-1)!, /\tStatus: error\tError Type: Runtime\.ConfigError$/);
  });

  it('G.39 one invocation at a time per environment', async () => {
    const { environment } = await startFixture('echo');
    await using _ = environment;
    const first = environment.invoke({ payload: Buffer.from('1') });
    assert.throws(() => environment.invoke({ payload: Buffer.from('2') }), /busy with another invocation/);
    await first.report;
    const second = environment.invoke({ payload: Buffer.from('3') });
    assert.equal((await second.report).status, 'success');
  });

  it('G.36 a runtime that exits during init is Runtime.ExitError', async () => {
    const { environment } = await startFixture('init-crash');
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Runtime.ExitError');
    assert.match(JSON.parse(response.body.toString()).errorMessage, /Runtime exited with error: exit status 3$/);
    await handle.report;
  });

  it('a provided function without a bootstrap fails init with Runtime.InvalidEntrypoint', async () => {
    const { environment } = await startFixture('..', { timeoutSeconds: 1 });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(JSON.parse(response.body.toString()).errorMessage, /Couldn't find valid bootstrap/);
    await handle.report;
  });

  it('passes a megabyte of output through line by line and still answers', async () => {
    const { environment, records } = await startFixture('big-output');
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const report = await handle.report;
    assert.equal(report.status, 'success');
    const lines = records.filter((record) => record.type === 'function');
    assert.equal(lines.length, 100_000);
    assert.equal(lines[99_999]!.text, '100000 xxxxxxxxx');
  });

  it('I.48 shutdown kills a runtime that ignores SIGTERM; nothing outlives the environment', async () => {
    const { environment } = await startFixture('sigterm-ignorer', { timeoutSeconds: 30 });
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    // The runtime's group: its shell and the sleep it is running.
    const deadline = Date.now() + 10_000;
    while (environment.pids.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    const pids = environment.pids;
    assert.equal(pids.length, 1);
    await environment.shutdown();
    const response = await handle.response;
    assert.equal(response.kind, 'function-error');
    await handle.report;
    assert.equal(environment.state, 'shutdown');
    for (const pid of pids) assert.ok(!pidAlive(pid), `runtime ${pid} is gone`);
  });
});
