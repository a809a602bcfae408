import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment, type LogRecord } from '../../lib/environment/index.js';
import { makeSpec } from './spec-fixture.js';

function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/lifecycle/${name}/`, import.meta.url));
}

async function start(name: string, overrides: Parameters<typeof makeSpec>[0] extends infer T ? Partial<T> : never, initTimeoutMs?: number) {
  const codeDirectory = fixture(name);
  const records: LogRecord[] = [];
  const environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory, ...overrides }),
    codeDirectory,
    functionVariables: {},
    onLog: (record) => records.push(record),
    ...(initTimeoutMs === undefined ? {} : { initTimeoutMs }),
  });
  return { environment, records };
}

describe('limits and log formats of the execution environment', () => {
  it('G (memory) a function that grows past its MemorySize is killed with Runtime.OutOfMemory, and Max Memory Used is measured', async () => {
    const { environment } = await start('memory-hog', { runtime: 'nodejs20.x', handler: 'index.handler', memorySizeMb: 128, timeoutSeconds: 30 });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    assert.equal(response.errorType, 'Runtime.OutOfMemory');
    assert.match(JSON.parse(response.body.toString()).errorMessage, /Runtime exited with error: signal: killed$/);
    const report = await handle.report;
    assert.equal(report.status, 'error');
    assert.equal(report.errorType, 'Runtime.OutOfMemory');
    assert.ok(report.maxMemoryUsedMb >= 128, `peak ${report.maxMemoryUsedMb} MB`);
    const lines = report.logs.filter((record) => record.type === 'platform').map((record) => record.text);
    assert.match(lines.at(-1)!, /\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
  });

  it('G.33 an init longer than the init limit is a timeout, retried inside the invoke within the function timeout', async () => {
    const { environment } = await start('slow-init', { runtime: 'nodejs20.x', handler: 'index.handler', timeoutSeconds: 1 }, 500);
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    const response = await handle.response;
    assert.ok(response.kind === 'function-error');
    const report = await handle.report;
    assert.equal(report.status, 'timeout');
    const lines = report.logs.filter((record) => record.type === 'platform').map((record) => record.text);
    assert.ok(lines.some((line) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout/.test(line)), lines.join('\n'));
    assert.ok(lines.some((line) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: timeout/.test(line)), lines.join('\n'));
  });

  it('M.72 JSON log format: platform lines and console lines are JSON, filtered by the application log level', async () => {
    const { environment } = await start('json-logs', {
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      logging: { logFormat: 'JSON', applicationLogLevel: 'WARN', logGroup: '/aws/lambda/json' },
    });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{"a":1}') });
    const report = await handle.report;
    const parsed = report.logs.map((record) => JSON.parse(record.text) as Record<string, unknown>);
    const platform = parsed.filter((entry) => typeof entry.type === 'string').map((entry) => entry.type);
    assert.deepEqual(platform, ['platform.initStart', 'platform.start', 'platform.report']);
    const console = parsed.filter((entry) => entry.level !== undefined);
    assert.deepEqual(
      console.map((entry) => [entry.level, entry.message]),
      [
        ['WARN', 'warn line'],
        ['ERROR', 'error line'],
      ],
    );
    for (const entry of console) {
      assert.equal(entry.requestId, handle.requestId);
      assert.match(String(entry.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const reportEntry = parsed.find((entry) => entry.type === 'platform.report') as { record: { metrics: Record<string, number>; status: string } };
    assert.equal(reportEntry.record.status, 'success');
    assert.equal(reportEntry.record.metrics.memorySizeMB, 128);
    assert.ok(reportEntry.record.metrics.initDurationMs! > 0);
  });

  it('A runtime client written independently of cdk-local (Python standard library only) works unchanged', async () => {
    const { environment, records } = await start('python-client', { runtime: 'provided.al2023', handler: 'unused' });
    await using _ = environment;
    const ok = environment.invoke({ payload: Buffer.from('{"text":"quiet"}') });
    const response = await ok.response;
    assert.ok(response.kind === 'payload');
    const body = JSON.parse(response.body.toString());
    assert.equal(body.upper, 'QUIET');
    assert.ok(body.deadline > Date.now() - 60_000 && body.deadline <= Date.now() + 30_000);
    await ok.report;
    const failing = environment.invoke({ payload: Buffer.from('{}') });
    const error = await failing.response;
    assert.ok(error.kind === 'function-error');
    assert.equal(error.errorType, 'InputError');
    await failing.report;
    assert.ok(records.some((record) => record.text === `python client handling ${ok.requestId}`));
  });
});

describe('AWS_LAMBDA_EXEC_WRAPPER', () => {
  for (const sandbox of [false, 'auto'] as const) {
    it(`starts the runtime through the wrapper script in a layer (sandbox: ${sandbox})`, async () => {
      const codeDirectory = fileURLToPath(new URL('../fixtures/wrapper/function/', import.meta.url));
      const records: LogRecord[] = [];
      const environment = await ExecutionEnvironment.start({
        spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler' }),
        codeDirectory,
        layersDirectory: fileURLToPath(new URL('../fixtures/wrapper/layer/', import.meta.url)),
        functionVariables: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper' },
        sandbox,
        onLog: (record) => records.push(record),
      });
      await using _ = environment;
      const handle = environment.invoke({ payload: Buffer.from('{}') });
      const response = await handle.response;
      assert.ok(response.kind === 'payload');
      assert.deepEqual(JSON.parse(response.body.toString()), { wrappedBy: 'wrapper' });
      await handle.report;
      assert.ok(records.some((record) => /^wrapper starting: .*node$/.test(record.text)), records.map((record) => record.text).join('\n'));
    });
  }
});
