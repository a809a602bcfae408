import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExecutionEnvironment, type LogRecord } from '../../../lib/environment/index.js';
import { detectBubblewrap } from '../../../lib/environment/sandbox/index.js';
import { makeSpec } from '../../environment/spec-fixture.js';
import { TEST_RUNTIME_CACHE } from './fake-services.js';

const bubblewrap = await detectBubblewrap();
const modes = [{ sandbox: false, skip: false as const }, { sandbox: true, skip: bubblewrap.available ? (false as const) : 'bubblewrap cannot make a sandbox here' }];
const HANDLER = `export const handler = async () => ({ version: process.version, execPath: process.execPath });\n`;

async function versionOf(codeDirectory: string, runtime: string, options: { sandbox: boolean; localRuntime?: boolean }): Promise<{ version: string; execPath: string; notices: string[] }> {
  const records: LogRecord[] = [];
  const notices: string[] = [];
  await using environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory, runtime, handler: 'index.handler', timeoutSeconds: 60 }),
    codeDirectory,
    functionVariables: {},
    onLog: (record) => records.push(record),
    onNotice: (message) => notices.push(message),
    sandbox: options.sandbox,
    // The first run fetches the build: a generous init.
    initTimeoutMs: 600_000,
    provision: { cacheDirectory: TEST_RUNTIME_CACHE, projectDirectory: codeDirectory, ...(options.localRuntime === undefined ? {} : { localRuntime: options.localRuntime }) },
  });
  const response = await environment.invoke({ payload: Buffer.from('{}') }).response;
  assert.ok(response.kind === 'payload', `${response.kind === 'function-error' ? response.body.toString() : response.kind}\n${records.map((record) => record.text).join('\n')}`);
  return { ...(JSON.parse(response.body.toString()) as { version: string; execPath: string }), notices };
}

describe('the Node.js major a function runs on', () => {
  let code: string;
  before(async () => {
    code = await mkdtemp(join(tmpdir(), 'cdk-local-node-major-'));
    await writeFile(join(code, 'index.mjs'), HANDLER);
  });
  after(() => rm(code, { recursive: true, force: true }));

  for (const mode of modes) {
    const where = mode.sandbox ? 'in the sandbox' : 'without a sandbox';
    for (const major of ['22', '24']) {
      it(`is Node.js ${major} for nodejs${major}.x ${where}`, { skip: mode.skip, timeout: 900_000 }, async () => {
        const { version, execPath } = await versionOf(code, `nodejs${major}.x`, { sandbox: mode.sandbox });
        assert.match(version, new RegExp(`^v${major}\\.`));
        if (mode.sandbox) assert.equal(execPath, '/var/lang/bin/node');
      });
    }
  }

  it('is the local Node.js with localRuntime, with a notice when the major differs', async () => {
    const local = process.versions.node.split('.')[0];
    const other = local === '22' ? '24' : '22';
    const { version, notices } = await versionOf(code, `nodejs${other}.x`, { sandbox: false, localRuntime: true });
    assert.equal(version, process.version);
    assert.ok(notices.some((notice) => notice.includes(`runs on the local Node.js ${process.versions.node}`)), notices.join('\n'));
  });
});
