import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('../fixtures/memory/warm-memory-probe.ts', import.meta.url));
const INVOCATIONS = 200;
/** Kept answers would add about 1 MB per invocation (some 200 MB); a flat environment adds noise. */
const MAX_GROWTH_MB = 50;

interface ProbeOutput {
  readonly beforeMb: number;
  readonly afterMb: number;
  readonly answerBytes: number;
  readonly invocations: number;
}

describe('memory of a warm environment', () => {
  it('stays flat across warm invocations of a function that answers 1 MB', async () => {
    // A process of its own, with --expose-gc: only a full collection tells kept memory from garbage.
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(INVOCATIONS)], {
      cwd: REPO_ROOT,
      timeout: 300_000,
      maxBuffer: 1024 * 1024,
    });
    const output = JSON.parse(stdout) as ProbeOutput;
    assert.equal(output.invocations, INVOCATIONS);
    assert.ok(output.answerBytes >= 1_000_000, `the function answered ${output.answerBytes} bytes`);
    const growthMb = output.afterMb - output.beforeMb;
    assert.ok(growthMb < MAX_GROWTH_MB, `cdk-local's heap and buffers grew by ${growthMb.toFixed(1)} MB over ${INVOCATIONS} invocations`);
  });
});
