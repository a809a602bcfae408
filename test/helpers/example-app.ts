import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built command, as `npx cdk-local` runs it. */
export const CLI_PATH = join(REPO_ROOT, 'dist', 'bin', 'cdk-local.js');

const run = promisify(execFile);

/**
 * Synthesizes the example app into a fresh temp directory, the way the CDK CLI runs an
 * app (CDK_OUTDIR, CDK_CONTEXT_JSON). Returns the directory and a function removing it.
 */
export async function synthesizeExampleApp(): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'cdk-local-example-'));
  const context = {
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:disable-version-reporting': true,
  };
  await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'examples', 'app.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_OUTDIR: directory, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_DEFAULT_REGION: 'eu-west-1' },
    maxBuffer: 64 * 1024 * 1024,
    // A hung synth fails the test with what it printed instead of stalling the suite.
    timeout: 180_000,
    killSignal: 'SIGKILL',
  });
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}
