import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExecutionEnvironment, type LogRecord } from '../../../lib/environment/index.js';
import { DURABLE_EXECUTION_SDK_VERSION } from '../../../lib/runtimes/index.js';
import { makeSpec } from '../../environment/spec-fixture.js';
import { TEST_RUNTIME_CACHE } from './fake-services.js';

const HANDLER = `
import * as durable from '@aws/durable-execution-sdk-js';
export const handler = async () => ({ exports: Object.keys(durable).sort(), resolvedFrom: import.meta.resolve('@aws/durable-execution-sdk-js') });
`;

async function invoke(codeDirectory: string, runtime: string): Promise<{ kind: string; body: string; logs: string }> {
  const records: LogRecord[] = [];
  await using environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory, runtime, handler: 'index.handler', timeoutSeconds: 60 }),
    codeDirectory,
    functionVariables: {},
    onLog: (record) => records.push(record),
    sandbox: false,
    initTimeoutMs: 600_000,
    provision: { cacheDirectory: TEST_RUNTIME_CACHE, projectDirectory: codeDirectory },
  });
  const response = await environment.invoke({ payload: Buffer.from('{}') }).response;
  const body = response.kind === 'payload' || response.kind === 'function-error' ? response.body.toString() : '';
  return { kind: response.kind, body, logs: records.map((record) => record.text).join('\n') };
}

describe('the durable execution SDK that Node.js runtimes provide', () => {
  let code: string;
  before(async () => {
    code = await mkdtemp(join(tmpdir(), 'cdk-local-durable-code-'));
    await writeFile(join(code, 'index.mjs'), HANDLER);
  });
  after(() => rm(code, { recursive: true, force: true }));

  it('is there for a nodejs22.x function that does not bundle it', { timeout: 900_000 }, async () => {
    const { kind, body, logs } = await invoke(code, 'nodejs22.x');
    assert.equal(kind, 'payload', `${body}\n${logs}`);
    const result = JSON.parse(body) as { exports: string[]; resolvedFrom: string };
    assert.ok(result.resolvedFrom.includes(`durable-execution-sdk-js@${DURABLE_EXECUTION_SDK_VERSION}/node_modules/@aws/durable-execution-sdk-js/`), result.resolvedFrom);
    assert.ok(result.exports.includes('withDurableExecution'), result.exports.join(', '));
  });

  it('is not there for nodejs20.x, whose Lambda runtime does not include it', { timeout: 900_000 }, async () => {
    const { kind, body } = await invoke(code, 'nodejs20.x');
    assert.equal(kind, 'function-error');
    assert.match(body, /Cannot find (package|module) '@aws\/durable-execution-sdk-js'/);
  });
});
