import assert from 'node:assert/strict';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveRuntimeCommand } from '../../lib/environment/runtime-command.js';
import { describeRuntime } from '../../lib/runtimes/index.js';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Polls for a file from the event loop: only a loop that is not blocked ever sees it. */
async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await exists(path))) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('the runtime command of a Python function', { skip: process.platform === 'win32' && 'uses a shell script' }, () => {
  it('asks the interpreter for its version without blocking the event loop, once per interpreter', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cdk-local-python-probe-'));
    const savedPath = process.env.PATH;
    try {
      // A python3.12 that answers only once it is told to: a synchronous probe would hold the
      // event loop (and with it the test's polling) until the probe's own timeout.
      const python = join(directory, 'python3.12');
      await writeFile(
        python,
        [
          '#!/bin/sh',
          `echo run >> '${directory}/runs'`,
          `touch '${directory}/started'`,
          `while [ ! -e '${directory}/go' ]; do sleep 0.05; done`,
          `echo '${python}'`,
          'echo 3.12',
          '',
        ].join('\n'),
      );
      await chmod(python, 0o755);
      process.env.PATH = `${directory}${delimiter}${savedPath ?? ''}`;
      const runtime = describeRuntime('python3.12')!;
      const resolving = resolveRuntimeCommand(runtime, 'TestStack/Fn', directory, undefined);
      // Both started and released from this process's event loop while the probe runs.
      await waitForFile(join(directory, 'started'), 30_000);
      await writeFile(join(directory, 'go'), '');
      const command = await resolving;
      assert.equal(command?.file, python);
      assert.equal(command?.notice, undefined, 'the version matches');

      const again = await resolveRuntimeCommand(runtime, 'TestStack/Other', directory, undefined);
      assert.equal(again?.file, python);
      assert.equal((await readFile(join(directory, 'runs'), 'utf8')).trim().split('\n').length, 1, 'the interpreter is asked once');
    } finally {
      process.env.PATH = savedPath;
      await rm(directory, { recursive: true, force: true });
    }
  });
});
