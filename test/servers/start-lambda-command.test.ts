import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { limitRun, withinLimit } from '../helpers/run-cli.js';
import { Recorder } from './events.js';
import { createServerApp, lambdaClient, processesWithMarker, type ServerApp } from './server-app.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY = /^cdk-local: Lambda Invoke API at (http:\/\/127\.0\.0\.1:\d+) \((\d+) functions?\)$/;

/** `cdk-local start-lambda ...` as a user runs it, from the sources. */
class StartLambdaRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout = new Recorder<string>();
  readonly stderr = new Recorder<string>();
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin', 'cdk-local.ts'), 'start-lambda', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local' },
      // A group of its own, so that a hung command is killed with everything it started.
      detached: true,
    });
    this.#lines(this.child.stdout, this.stdout);
    this.#lines(this.child.stderr, this.stderr);
    const limit = limitRun(this.child, 'cdk-local start-lambda', () => `stdout: ${this.stdout.values.join('\n')}\nstderr: ${this.stderr.values.slice(-30).join('\n')}`);
    const closed = once(this.child, 'close').then(([code]) => code as number | null);
    this.exited = withinLimit(closed, limit);
  }

  #lines(stream: NodeJS.ReadableStream, into: Recorder<string>): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) into.push(line);
    });
    stream.on('end', () => {
      if (rest !== '') into.push(rest);
    });
  }

  /** The URL of the ready line, and the number of functions it names. */
  async ready(): Promise<{ url: string; count: number }> {
    const [line] = await this.stdout.waitFor((text) => READY.test(text), 1, 60_000);
    const match = READY.exec(line!)!;
    return { url: match[1]!, count: Number(match[2]) };
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}

describe('cdk-local start-lambda', () => {
  let app: ServerApp;
  let scratch: string;
  let envVars: string;

  before(async () => {
    app = await createServerApp();
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-start-lambda-'));
    envVars = join(scratch, 'env.json');
    await writeFile(envVars, JSON.stringify({ Parameters: { CDK_LOCAL_TEST_MARKER: app.marker } }));
  });

  after(async () => {
    await app?.remove();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('prints one line with its URL, serves every function, logs them by name on stderr, and stops cleanly on SIGINT', async () => {
    const run = new StartLambdaRun(['--app', app.directory, '--port', '0', '--env-vars', envVars]);
    try {
      const { url, count } = await run.ready();
      assert.equal(count, 7);
      const client = lambdaClient(url);
      try {
        const result = await client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: JSON.stringify({ via: 'cli' }) }));
        assert.equal(result.StatusCode, 200);
        assert.deepEqual(JSON.parse(Buffer.from(result.Payload!).toString('utf8')).event, { via: 'cli' });
        const requestId = result.$metadata.requestId!;
        await run.stderr.waitFor((line) => line === `[Echo] END RequestId: ${requestId}`);
        await run.stderr.waitFor((line) => line.startsWith(`[Echo] `) && line.endsWith(`\tINFO\techo {"via":"cli"}`));
        await run.stderr.waitFor((line) => line.startsWith(`cdk-local: Echo: Invoke RequestResponse ${requestId}: success, `));
        assert.ok((await processesWithMarker(app.marker)).length > 0, 'the function runs as a process of its own');
      } finally {
        client.destroy();
      }
      assert.equal(await run.stop('SIGINT'), 130);
      assert.equal(run.stdout.values.filter((line) => line !== '').length, 1, 'stdout has the ready line only');
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlives cdk-local');
    } finally {
      await run.stop('SIGKILL');
    }
  });

  it('serves only the functions named, and stops on SIGTERM', async () => {
    const run = new StartLambdaRun(['Echo', '--app', app.directory, '--port', '0', '--env-vars', envVars]);
    try {
      const { url, count } = await run.ready();
      assert.equal(count, 1);
      const client = lambdaClient(url);
      try {
        assert.equal((await client.send(new InvokeCommand({ FunctionName: 'Echo' }))).StatusCode, 200);
        await assert.rejects(client.send(new InvokeCommand({ FunctionName: 'Thrower' })), { name: 'ResourceNotFoundException' });
      } finally {
        client.destroy();
      }
      assert.equal(await run.stop('SIGTERM'), 143);
      assert.deepEqual(await processesWithMarker(app.marker), []);
    } finally {
      await run.stop('SIGKILL');
    }
  });

  it('says in one sentence that the port is in use', async () => {
    const taken: Server = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const run = new StartLambdaRun(['--app', app.directory, '--port', String(port)]);
      assert.equal(await run.exited, 2);
      assert.deepEqual(run.stdout.values, []);
      assert.deepEqual(run.stderr.values, [`cdk-local: Port ${port} on 127.0.0.1 is in use; choose another with --port.`]);
    } finally {
      taken.close();
    }
  });

  it('names an unknown function before it starts listening', async () => {
    const run = new StartLambdaRun(['Nope', '--app', app.directory, '--port', '0']);
    assert.equal(await run.exited, 2);
    assert.deepEqual(run.stdout.values, []);
    assert.match(run.stderr.values.join('\n'), /^cdk-local: No function 'Nope' in the app/);
  });
});
