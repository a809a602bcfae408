import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { detectBubblewrap } from '../../lib/environment/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';

const NODE_CODE = fileURLToPath(new URL('../fixtures/sandbox/node/', import.meta.url));
const detection = await detectBubblewrap();

describe('cdk-local invoke --sandbox / --no-sandbox', () => {
  let scratch: string;
  let assembly: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-sandbox-cli-'));
    assembly = join(scratch, 'cdk.out');
    const app = new App({
      outdir: assembly,
      context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:disable-version-reporting': true },
      builtinCloudFormationValidation: false,
      stackTraces: false,
    });
    const stack = new Stack(app, 'SandboxStack', { env: { region: 'us-east-1', account: '111122223333' } });
    new lambda.Function(stack, 'Where', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(NODE_CODE), timeout: Duration.seconds(30) });
    app.synth();
  });

  after(() => rm(scratch, { recursive: true, force: true }));

  const invoke = (...extra: string[]) => runCli(['invoke', 'Where', '--app', assembly, '--event-json', '{"action":"where"}', ...extra], { cwd: scratch });

  it('runs the function in the sandbox by default', { skip: detection.available ? false : 'bubblewrap cannot make a sandbox here' }, async () => {
    const run = await invoke();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { cwd: string }).cwd, '/var/task');
    assert.doesNotMatch(run.stderr, /without a sandbox/);
  });

  it('--no-sandbox runs a plain process and says so in one line', async () => {
    const run = await invoke('--no-sandbox');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.notEqual((JSON.parse(run.stdout) as { cwd: string }).cwd, '/var/task');
    const notices = run.stderr.split('\n').filter((line) => line.includes('without a sandbox'));
    assert.deepEqual(notices, [
      "cdk-local: running without a sandbox (sandbox turned off): code is not at /var/task, /opt is not mounted, sandbox.localdomain does not resolve and /tmp is shared with this machine; drop --no-sandbox for Lambda's file system.",
    ]);
  });

  it('--sandbox without bubblewrap fails before running anything, in one sentence', async () => {
    const run = await runCli(['invoke', 'Where', '--app', assembly, '--sandbox'], { cwd: scratch, env: { PATH: scratch } });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.equal(
      run.stderr,
      'cdk-local: --sandbox needs bubblewrap, which is not installed: install it (apt-get install bubblewrap, dnf install bubblewrap or pacman -S bubblewrap) or run without --sandbox.\n',
    );
    assert.equal(run.stdout, '');
  });

  it('--sandbox without slirp4netns fails before running anything, naming what to install', { skip: detection.available ? false : 'bubblewrap cannot make a sandbox here' }, async () => {
    // A PATH with bubblewrap and nsenter (and what bubblewrap's probe runs) but no slirp4netns,
    // outside the temp directory, which the probe's sandbox replaces with an empty /tmp.
    const bin = fileURLToPath(new URL(`../../.scratch-no-slirp-${process.pid}/`, import.meta.url));
    await mkdir(bin, { recursive: true });
    after(() => rm(bin, { recursive: true, force: true }));
    for (const tool of [detection.available ? detection.bubblewrap.path : '/usr/bin/bwrap', '/usr/bin/nsenter', '/usr/bin/true']) {
      await symlink(tool, join(bin, tool.split('/').at(-1)!));
    }
    const run = await runCli(['invoke', 'Where', '--app', assembly, '--sandbox'], { cwd: scratch, env: { PATH: bin } });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.equal(
      run.stderr,
      'cdk-local: --sandbox needs a network of its own for each environment, which cannot be made here (slirp4netns is not installed): install slirp4netns (apt-get install slirp4netns, dnf install slirp4netns or pacman -S slirp4netns), or run without --sandbox.\n',
    );
    assert.equal(run.stdout, '');
  });
});
