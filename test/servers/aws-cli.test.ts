import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../lib/servers/index.js';
import { createServerApp, NAMED_FUNCTION, processesWithMarker, type ServerApp } from './server-app.js';

const run = promisify(execFile);
/** A hung `aws` is killed, and the test fails with what it printed instead of stalling. */
const AWS_TIMEOUT = { timeout: 120_000, killSignal: 'SIGKILL' } as const;

interface AwsRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Debian's awscli package (AWS CLI v2), which .ci/run installs; else whatever `aws` is on PATH. */
const AWS_CLI = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';

/** The version line of the AWS CLI, or why there is none. */
async function findAwsCli(): Promise<{ version: string } | { missing: string }> {
  try {
    const { stdout, stderr } = await run(AWS_CLI, ['--version'], { env: { ...process.env, AWS_PAGER: '' }, ...AWS_TIMEOUT });
    return { version: (stdout || stderr).trim() };
  } catch (error) {
    return { missing: `no working 'aws' on PATH (${(error as Error).message.split('\n')[0]}); .ci/run installs Debian's awscli` };
  }
}

const found = await findAwsCli();
const skip = 'missing' in found ? found.missing : false;

describe(`start-lambda with the AWS CLI (${'version' in found ? found.version : 'absent'})`, { skip }, () => {
  let app: ServerApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let scratch: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    app = await createServerApp();
    local = await app.open();
    server = await startLambdaServer({ local });
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-aws-cli-'));
    // Dummy credentials, and nothing of the user's own AWS configuration.
    env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(scratch, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-credentials'),
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
  });

  after(async () => {
    await Promise.all([server?.close(), local?.close()]);
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  async function aws(...args: string[]): Promise<AwsRun> {
    try {
      const { stdout, stderr } = await run(AWS_CLI, [...args, '--endpoint-url', server.url, '--output', 'json'], { env, cwd: scratch, ...AWS_TIMEOUT });
      return { stdout, stderr, exitCode: 0 };
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; code?: number };
      return { stdout: failure.stdout ?? '', stderr: failure.stderr ?? '', exitCode: typeof failure.code === 'number' ? failure.code : -1 };
    }
  }

  it('aws lambda invoke writes the response to the outfile and prints StatusCode and ExecutedVersion', async () => {
    const event = join(scratch, 'event.json');
    await writeFile(event, JSON.stringify({ from: 'aws-cli' }));
    const out = join(scratch, 'out.json');
    // fileb:// is read as bytes by CLI v1 and v2 alike (v2 takes inline --payload as base64).
    const result = await aws('lambda', 'invoke', '--function-name', 'Echo', '--payload', `fileb://${event}`, out);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { StatusCode: 200, ExecutedVersion: '$LATEST' });
    const payload = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(payload.event, { from: 'aws-cli' });
    assert.equal(payload.greeting, 'hello');
  });

  it('reports a function error and returns the log tail', async () => {
    const out = join(scratch, 'error.json');
    const result = await aws('lambda', 'invoke', '--function-name', NAMED_FUNCTION, '--log-type', 'Tail', out);
    assert.equal(result.exitCode, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { StatusCode: number; LogResult: string };
    assert.equal(printed.StatusCode, 200);
    // named-echo logs in Lambda's JSON format: so does its tail.
    assert.match(Buffer.from(printed.LogResult, 'base64').toString('utf8'), /^\{"time":"[^"]+","type":"platform\.report","record":\{"requestId":"[0-9a-f-]{36}"/m);

    const failed = await aws('lambda', 'invoke', '--function-name', 'Thrower', out);
    assert.equal(failed.exitCode, 0, failed.stderr);
    assert.equal((JSON.parse(failed.stdout) as { FunctionError: string }).FunctionError, 'Unhandled');
    assert.equal((JSON.parse(await readFile(out, 'utf8')) as { errorType: string }).errorType, 'ValidationError');
  });

  it('invokes asynchronously with --invocation-type Event', async () => {
    const result = await aws('lambda', 'invoke', '--function-name', 'Echo', '--invocation-type', 'Event', join(scratch, 'event-out.json'));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { StatusCode: number }).StatusCode, 202);
  });

  it('fails with ResourceNotFoundException for an unknown function', async () => {
    const result = await aws('lambda', 'invoke', '--function-name', 'Nope', join(scratch, 'nope.json'));
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /ResourceNotFoundException/);
    assert.match(result.stderr, /Function not found: arn:aws:lambda:us-east-1:\d{12}:function:Nope/);
  });

  it('aws lambda get-function and list-functions show the declared configuration', async () => {
    const got = await aws('lambda', 'get-function', '--function-name', NAMED_FUNCTION);
    assert.equal(got.exitCode, 0, got.stderr);
    const configuration = (JSON.parse(got.stdout) as { Configuration: Record<string, unknown> }).Configuration;
    assert.equal(configuration.FunctionName, NAMED_FUNCTION);
    assert.equal(configuration.MemorySize, 256);

    const listed = await aws('lambda', 'list-functions', '--max-items', '100');
    assert.equal(listed.exitCode, 0, listed.stderr);
    const names = (JSON.parse(listed.stdout) as { Functions: { FunctionName: string }[] }).Functions.map((fn) => fn.FunctionName);
    assert.deepEqual(names.sort(), local.functions.map((spec) => spec.functionName).sort());
  });
});
