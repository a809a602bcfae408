import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isAssemblyFresh, loadCloudAssembly, readAssembly } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { readAppRuns, writeAppScript, writeFailingAppScript, writeHangingAppScript } from '../fixtures/assembly/cdk-project.js';

/** Polls `check` until it is true, failing after `timeoutMs`. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('loadCloudAssembly', () => {
  let root: string;
  let project: string;
  let state: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-synth-'));
    project = join(root, 'project');
    state = join(root, 'state');
    await writeAppScript(project, state);
    await writeFile(
      join(project, 'cdk.json'),
      JSON.stringify({ app: 'node app.cjs', context: { 'demo:greeting': 'hello', 'demo:overridden': 'from cdk.json' } }),
    );
    await writeFile(join(project, 'cdk.context.json'), JSON.stringify({ 'demo:overridden': 'from cdk.context.json' }));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs the app of cdk.json with the CLI’s context and environment', async () => {
    const result = await loadCloudAssembly({ cwd: project });
    assert.deepEqual(result, { directory: join(project, 'cdk.out'), synthesized: true });
    const runs = await readAppRuns(state);
    assert.equal(runs.count, 1);
    assert.equal(runs.outdir, join(project, 'cdk.out'));
    assert.equal(runs.context['demo:greeting'], 'hello');
    assert.equal(runs.context['demo:overridden'], 'from cdk.context.json');
    assert.equal(runs.context['aws:cdk:enable-path-metadata'], true);
    assert.equal(runs.context['aws:cdk:enable-asset-metadata'], true);
    assert.equal(runs.context['aws:cdk:disable-version-reporting'], true);
    assert.ok(runs.defaultRegion !== undefined && runs.defaultRegion !== '');
    assert.ok(runs.defaultAccount !== undefined && runs.defaultAccount !== '');
    const { functions } = await readAssembly(result.directory);
    assert.deepEqual(
      functions.map((spec) => spec.constructPath),
      ['SynthStack/Hello'],
    );
  });

  it('reuses an assembly newer than every file of the project', async () => {
    const before = (await readAppRuns(state)).count;
    assert.deepEqual(await loadCloudAssembly({ cwd: project }), { directory: join(project, 'cdk.out'), synthesized: false });
    assert.equal((await readAppRuns(state)).count, before);
    assert.equal(await isAssemblyFresh(join(project, 'cdk.out'), project), true);
  });

  it('synthesizes again after a project file changes, or with extra context', async () => {
    const before = (await readAppRuns(state)).count;
    const future = new Date(Date.now() + 60_000);
    await utimes(join(project, 'app.cjs'), future, future);
    assert.equal(await isAssemblyFresh(join(project, 'cdk.out'), project), false);
    assert.equal((await loadCloudAssembly({ cwd: project })).synthesized, true);
    assert.equal((await readAppRuns(state)).count, before + 1);
    const now = new Date();
    await utimes(join(project, 'app.cjs'), now, now);

    const withContext = await loadCloudAssembly({ cwd: project, context: { 'demo:greeting': 'from the command line' } });
    assert.equal(withContext.synthesized, true);
    assert.equal((await readAppRuns(state)).context['demo:greeting'], 'from the command line');
  });

  it('uses an assembly directory given as --app as it is', async () => {
    const before = (await readAppRuns(state)).count;
    assert.deepEqual(await loadCloudAssembly({ cwd: root, app: join(project, 'cdk.out') }), {
      directory: join(project, 'cdk.out'),
      synthesized: false,
    });
    assert.deepEqual(await loadCloudAssembly({ cwd: project, app: 'cdk.out' }), { directory: join(project, 'cdk.out'), synthesized: false });
    assert.equal((await readAppRuns(state)).count, before);
  });

  it('writes to the output of cdk.json, or to --output', async () => {
    const other = join(root, 'with-output');
    const otherState = join(root, 'with-output-state');
    await writeAppScript(other, otherState);
    await writeFile(join(other, 'cdk.json'), JSON.stringify({ app: 'node app.cjs', output: 'build/assembly' }));
    assert.deepEqual(await loadCloudAssembly({ cwd: other }), { directory: join(other, 'build', 'assembly'), synthesized: true });
    assert.ok(existsSync(join(other, 'build', 'assembly', 'manifest.json')));
    const explicit = await loadCloudAssembly({ cwd: other, output: join(root, 'elsewhere') });
    assert.deepEqual(explicit, { directory: join(root, 'elsewhere'), synthesized: true });
  });

  it('runs a command given as --app', async () => {
    const result = await loadCloudAssembly({ cwd: project, app: 'node app.cjs', output: join(root, 'from-command') });
    assert.deepEqual(result, { directory: join(root, 'from-command'), synthesized: true });
  });

  it('says how to proceed without cdk.json or app', async () => {
    const empty = await mkdtemp(join(root, 'empty-'));
    await assert.rejects(loadCloudAssembly({ cwd: empty }), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.equal(error.code, 'CDKL_NO_APP');
      assert.equal(
        error.message,
        `No cdk.json in ${empty} and no --app: run cdk-local from your CDK app's directory or pass --app <cdk.out or command>.`,
      );
      return true;
    });
    await writeFile(join(empty, 'cdk.json'), JSON.stringify({ context: {} }));
    await assert.rejects(loadCloudAssembly({ cwd: empty }), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.equal(error.code, 'CDKL_NO_APP');
      assert.match(error.message, /has no "app"/);
      return true;
    });
    await assert.rejects(loadCloudAssembly({ cwd: root, app: empty }), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.equal(error.code, 'CDKL_ASSEMBLY_INVALID');
      return true;
    });
  });

  it('reports a failing app in one sentence with its own error, and keeps all of stderr as the cause', async () => {
    const broken = join(root, 'broken');
    await writeFailingAppScript(broken);
    await writeFile(join(broken, 'cdk.json'), JSON.stringify({ app: 'node broken.cjs' }));
    await assert.rejects(loadCloudAssembly({ cwd: broken }), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.equal(error.code, 'CDKL_SYNTH_FAILED');
      assert.equal(error.message, 'The CDK app failed to synthesize (exit code 1): Error: Stack BrokenStack needs a table name');
      assert.ok(error.cause instanceof Error);
      assert.match(error.cause.message, /Synthesizing\.\.\./);
      assert.match(error.cause.message, /at Object\.<anonymous>/);
      return true;
    });
    await assert.rejects(loadCloudAssembly({ cwd: broken, app: 'no-such-command-for-cdk-local' }), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.match(error.message, /^The CDK app failed to synthesize \(exit code 127\): .*no-such-command-for-cdk-local.*not found/);
      return true;
    });
  });

  it('stops a synth when cancelled, leaving no process behind', async () => {
    const hanging = join(root, 'hanging');
    const pidFile = join(root, 'hanging.pid');
    await writeHangingAppScript(hanging, pidFile);
    const controller = new AbortController();
    const running = loadCloudAssembly({ cwd: hanging, app: 'node hang.cjs', signal: controller.signal });
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 'the app to start');
    const pid = Number(await readFile(pidFile, 'utf8'));
    controller.abort(new Error('stop'));
    await assert.rejects(running, /stop/);
    await waitFor(() => !isAlive(pid), `process ${pid} to end`);
  });
});
