import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runCli } from '../helpers/run-cli.js';

// A major the local node is not: its build comes from the runtime cache.
const MAJOR = process.versions.node.split('.')[0] === '22' ? '24' : '22';

describe('cdk-local invoke and the Node.js major of the runtime', () => {
  let scratch: string;
  let assembly: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-local-runtime-cli-'));
    assembly = join(scratch, 'cdk.out');
    const app = new App({
      outdir: assembly,
      context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:disable-version-reporting': true },
      builtinCloudFormationValidation: false,
      stackTraces: false,
    });
    const stack = new Stack(app, 'MajorStack', { env: { region: 'us-east-1', account: '111122223333' } });
    new lambda.Function(stack, 'Version', {
      runtime: new lambda.Runtime(`nodejs${MAJOR}.x`, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }),
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ version: process.version });'),
    });
    app.synth();
  });

  after(() => rm(scratch, { recursive: true, force: true }));

  const invoke = (...extra: string[]) => runCli(['invoke', 'Version', '--app', assembly, '--no-sandbox', ...extra], { cwd: scratch });

  it(`runs nodejs${MAJOR}.x on Node.js ${MAJOR}`, { timeout: 900_000 }, async () => {
    const run = await invoke();
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match((JSON.parse(run.stdout) as { version: string }).version, new RegExp(`^v${MAJOR}\\.`));
    assert.doesNotMatch(run.stderr, /runs on the local Node\.js/);
  });

  it('--local-runtime runs it on the local node and says so in one line', async () => {
    const run = await invoke('--local-runtime');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { version: string }).version, process.version);
    const notices = run.stderr.split('\n').filter((line) => line.includes('runs on the local Node.js'));
    assert.deepEqual(notices, [`cdk-local: MajorStack/Version runs on the local Node.js ${process.versions.node}; install Node.js ${MAJOR} to match it exactly.`]);
  });
});
