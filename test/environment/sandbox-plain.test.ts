import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isCdkLocalError } from '../../lib/errors.js';
import { ExecutionEnvironment, type CallerResponse } from '../../lib/environment/index.js';
import { makeSpec } from './spec-fixture.js';

// This file's process looks for bubblewrap on a PATH that has none, whether or not the
// machine has it: the plain-process mode and its notice, as a machine without it sees them.
const EMPTY_PATH = mkdtempSync(join(tmpdir(), 'cdk-local-no-bwrap-'));
process.env.PATH = EMPTY_PATH;

const NODE_CODE = fileURLToPath(new URL('../fixtures/sandbox/node/', import.meta.url));
const PLAIN_NOTICE = /^running without a sandbox \((.+)\): code is not at \/var\/task, \/opt is not mounted, sandbox\.localdomain does not resolve and \/tmp is shared with this machine(; .+)?\.$/;

function startPlain(sandbox: 'auto' | false, notices: string[]) {
  return ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory: NODE_CODE, runtime: 'nodejs20.x', handler: 'index.handler' }),
    codeDirectory: NODE_CODE,
    functionVariables: {},
    onNotice: (message) => notices.push(message),
    sandbox,
  });
}

async function call(environment: ExecutionEnvironment, event: unknown): Promise<CallerResponse> {
  const handle = environment.invoke({ payload: Buffer.from(JSON.stringify(event)) });
  await handle.report;
  return handle.response;
}

describe('without bubblewrap', () => {
  after(() => rmSync(EMPTY_PATH, { recursive: true, force: true }));

  it('runs plain processes with this machine\'s paths and says so once, with how to get the sandbox', async () => {
    const notices: string[] = [];
    await using environment = await startPlain('auto', notices);
    const first = await call(environment, { action: 'where' });
    assert.ok(first.kind === 'payload');
    const seen = JSON.parse(first.body.toString()) as { cwd: string; variables: Record<string, string | null> };
    assert.equal(seen.cwd, NODE_CODE.replace(/\/$/, ''));
    assert.equal(seen.variables.LAMBDA_TASK_ROOT, NODE_CODE);
    // A crash resets the environment; its next init starts the runtime again, still without a second notice.
    assert.equal((await call(environment, { action: 'exit' })).kind, 'function-error');
    assert.equal((await call(environment, { action: 'where' })).kind, 'payload');
    const sandboxNotices = notices.filter((notice) => notice.includes('sandbox'));
    assert.equal(sandboxNotices.length, 1, sandboxNotices.join('\n'));
    const match = PLAIN_NOTICE.exec(sandboxNotices[0]!);
    assert.ok(match, sandboxNotices[0]);
    assert.equal(match[1], 'bubblewrap is not installed');
    assert.equal(match[2], "; install bubblewrap (apt-get install bubblewrap, dnf install bubblewrap or pacman -S bubblewrap) for Lambda's file system");
  });

  it('says the sandbox was turned off when it was', async () => {
    const notices: string[] = [];
    await using environment = await startPlain(false, notices);
    assert.equal((await call(environment, { action: 'where' })).kind, 'payload');
    assert.deepEqual(
      notices.filter((notice) => notice.includes('sandbox')),
      ["running without a sandbox (sandbox turned off): code is not at /var/task, /opt is not mounted, sandbox.localdomain does not resolve and /tmp is shared with this machine; drop --no-sandbox for Lambda's file system."],
    );
  });

  it('refuses to start an environment that must be sandboxed, in one sentence naming how to install bubblewrap', async () => {
    await assert.rejects(
      ExecutionEnvironment.start({ spec: makeSpec({ codeDirectory: NODE_CODE, runtime: 'nodejs20.x', handler: 'index.handler' }), codeDirectory: NODE_CODE, functionVariables: {}, sandbox: true }),
      (error: unknown) => {
        assert.ok(isCdkLocalError(error));
        assert.equal(error.code, 'CDKL_ENVIRONMENT_FAILED');
        assert.equal(
          error.message,
          '--sandbox needs bubblewrap, which is not installed: install it (apt-get install bubblewrap, dnf install bubblewrap or pacman -S bubblewrap) or run without --sandbox.',
        );
        return true;
      },
    );
  });
});
