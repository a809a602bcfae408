import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const require = createRequire(import.meta.url);

/** A CDK app whose function answers with what its synth saw: a context value, STAGE, the default region and account. */
function appScript(): string {
  return `
const { App, Stack } = require(${JSON.stringify(require.resolve('aws-cdk-lib'))});
const lambda = require(${JSON.stringify(require.resolve('aws-cdk-lib/aws-lambda'))});
const app = new App();
const stack = new Stack(app, 'InputsStack', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
new lambda.Function(stack, 'Echo', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  timeout: require(${JSON.stringify(require.resolve('aws-cdk-lib'))}).Duration.seconds(60),
  code: lambda.Code.fromInline(
    'exports.handler = async (event, context) => ({ greeting: process.env.GREETING, stage: process.env.STAGE, synthRegion: process.env.SYNTH_REGION, region: process.env.AWS_REGION, arn: context.invokedFunctionArn });',
  ),
  environment: {
    GREETING: String(app.node.tryGetContext('greeting')),
    STAGE: process.env.STAGE || 'none',
    SYNTH_REGION: String(process.env.CDK_DEFAULT_REGION),
  },
});
app.synth();
`;
}

interface Answer {
  readonly greeting: string;
  readonly stage: string;
  readonly synthRegion: string;
  readonly region: string;
  readonly arn: string;
}

describe('what feeds the synth: -c, --region, --account, the environment, --synth', () => {
  let project: string;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-synth-inputs-'));
    await writeFile(join(project, 'app.cjs'), appScript());
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.cjs', context: { greeting: 'from cdk.json' } }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  async function invoke(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ run: CliRun; answer: Answer }> {
    const run = await runCli(['invoke', 'Echo', ...args], { cwd: project, env: { STAGE: '', ...env } });
    assert.equal(run.exitCode, 0, run.stderr);
    return { run, answer: JSON.parse(run.stdout) as Answer };
  }

  const SYNTHESIZED = /^cdk-local: synthesizing the app \(.*\): node app\.cjs$/m;
  const REUSED = /^cdk-local: using .*cdk\.out from \d\d:\d\d:\d\d /m;

  it('passes -c to the synth, and never answers a changed context from the old cdk.out', async () => {
    const first = await invoke(['-c', 'greeting=hi']);
    assert.equal(first.answer.greeting, 'hi');
    assert.match(first.run.stderr, SYNTHESIZED);

    const changed = await invoke(['--context', 'greeting=ho=ho']);
    assert.equal(changed.answer.greeting, 'ho=ho');
    assert.match(changed.run.stderr, /synthesizing the app \(the context, options or environment differ from the last synth\)/);

    const same = await invoke(['--context', 'greeting=ho=ho']);
    assert.equal(same.answer.greeting, 'ho=ho');
    assert.match(same.run.stderr, REUSED);
    assert.doesNotMatch(same.run.stderr, SYNTHESIZED);

    const without = await invoke();
    assert.equal(without.answer.greeting, 'from cdk.json');
    assert.match(without.run.stderr, SYNTHESIZED);
  });

  it('synthesizes again when the environment changes: STAGE=prod after a run without it', async () => {
    const plain = await invoke();
    assert.equal(plain.answer.stage, 'none');
    const prod = await invoke([], { STAGE: 'prod' });
    assert.equal(prod.answer.stage, 'prod');
    assert.match(prod.run.stderr, SYNTHESIZED);
    const again = await invoke([], { STAGE: 'prod' });
    assert.equal(again.answer.stage, 'prod');
    assert.match(again.run.stderr, REUSED);
    const back = await invoke();
    assert.equal(back.answer.stage, 'none');
    assert.match(back.run.stderr, SYNTHESIZED);
  });

  it('synthesizes again when a file of the project changes, and always with --synth', async () => {
    await invoke();
    const future = new Date(Date.now() + 60_000);
    await utimes(join(project, 'app.cjs'), future, future);
    const touched = await invoke();
    assert.match(touched.run.stderr, /synthesizing the app \(a file of the project changed\)/);
    const now = new Date();
    await utimes(join(project, 'app.cjs'), now, now);
    // The touch above left a file newer than that synth; this one is the last to need a new one.
    await invoke(['--synth']);
    const forced = await invoke(['--synth']);
    assert.match(forced.run.stderr, /synthesizing the app \(--synth\)/);
  });

  it('gives --region and --account to the synth as CDK_DEFAULT_REGION and CDK_DEFAULT_ACCOUNT, and to the function', async () => {
    const { run, answer } = await invoke(['--region', 'eu-central-1', '--account', '111122223333']);
    assert.match(run.stderr, SYNTHESIZED);
    assert.equal(answer.synthRegion, 'eu-central-1');
    assert.equal(answer.region, 'eu-central-1');
    assert.match(answer.arn, /^arn:aws:lambda:eu-central-1:111122223333:function:/);
    const other = await invoke(['--region', 'ap-southeast-2', '--account', '111122223333']);
    assert.equal(other.answer.synthRegion, 'ap-southeast-2');
    assert.match(other.run.stderr, SYNTHESIZED);
  });

  it('list reads the app with -c and the synth options, and takes no option it would ignore', async () => {
    const listed = await runCli(['list', '--json', '-c', 'greeting=listed', '--region', 'eu-west-3'], { cwd: project });
    assert.equal(listed.exitCode, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { path: string }[]).map((row) => row.path),
      ['InputsStack/Echo'],
    );
    for (const ignored of [['--profile', 'dev'], ['--no-sandbox'], ['--no-freeze'], ['--log-format', 'json']]) {
      const run = await runCli(['list', ...ignored], { cwd: project });
      assert.equal(run.exitCode, 2, `list ${ignored.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /Unknown argument/);
    }
  });

  it('says --synth has nothing to run when --app is a cloud assembly', async () => {
    const run = await runCli(['invoke', 'Echo', '--app', 'cdk.out', '--synth'], { cwd: project });
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /^cdk-local: --synth needs an app to run, and .*cdk\.out is a cloud assembly: drop --synth, or pass the command that runs your app as --app\.$/m);
  });

  it('rejects a -c without key=value in one sentence', async () => {
    const run = await runCli(['invoke', 'Echo', '-c', 'greeting'], { cwd: project });
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /^cdk-local: --context takes key=value, not 'greeting': write it as -c greeting=value\.$/m);
  });
});
