// Starts lib/runtimes/python/bootstrap.py as a real child process against a RuntimeApiStub, the way
// the emulator does (cwd = the function's code, a Lambda-like environment), and cleans up after the test.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, on } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { RuntimeApiStub, type RuntimeApiStubOptions } from './runtime-api-stub.js';

export { TEST_FUNCTION_ARN } from './runtime-api-stub.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BOOTSTRAP = `${ROOT}lib/runtimes/python/bootstrap.py`;
export const FIXTURES = `${ROOT}test/fixtures/runtimes/python/`;

let pythonExecutable: string | undefined;

/** The interpreter under test: CDK_LOCAL_TEST_PYTHON (e.g. python3.8) or python3, resolved to its real path once. */
export function python(): string {
  pythonExecutable ??= execFileSync(process.env.CDK_LOCAL_TEST_PYTHON ?? 'python3', ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  return pythonExecutable;
}

export interface StartOptions {
  /** Directory under test/fixtures/runtimes/python, the function's code. */
  fixture: string;
  /** @default 'app.handler' */
  handler?: string;
  /** Arguments after bootstrap.py. @default [] */
  args?: string[];
  /** Extra or overriding environment variables; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  stub?: RuntimeApiStubOptions;
  /** Open a pipe as fd 3 and pass it as `_LAMBDA_TELEMETRY_LOG_FD`, as Lambda does. @default false */
  telemetryFd?: boolean;
}

/** One record of the telemetry log protocol. */
export interface LogFrame {
  type: number;
  timestampUs: bigint;
  message: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running bootstrap.py and the stub it talks to. */
export class PythonRuntime {
  private stdoutText = '';
  private frameBytes = Buffer.alloc(0);
  /** Records read from the telemetry log fd, in order. */
  readonly frames: LogFrame[] = [];
  private stderrText = '';
  private readonly output = new EventEmitter();
  private exit: Exit | undefined;
  readonly exited: Promise<Exit>;

  constructor(
    readonly child: ChildProcess,
    readonly api: RuntimeApiStub,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.stdoutText += text;
      this.output.emit('output');
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderrText += text;
      this.output.emit('output');
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => this.readFrames(chunk));
    this.exited = new Promise((resolve) => {
      // 'close' comes after 'exit' and after stdout/stderr are drained, so all output is in.
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.output.emit('output');
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    assert.ok(this.child.pid, 'the runtime process has a pid');
    return this.child.pid;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Resolves once `count` frames have arrived on the telemetry log fd. */
  async waitForFrames(count: number, timeoutMs = 30_000): Promise<LogFrame[]> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      if (this.frames.length >= count) return this.frames;
      for await (const _ of on(this.output, 'output', { signal })) {
        if (this.frames.length >= count) return this.frames;
        if (this.exit) break;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
    const messages = this.frames.map((frame) => JSON.stringify(frame.message)).join('\n');
    throw new Error(`Expected ${count} frames, got ${this.frames.length}:\n${messages}\nstderr:\n${this.stderrText}`);
  }

  private readFrames(chunk: Buffer): void {
    this.frameBytes = Buffer.concat([this.frameBytes, chunk]);
    while (this.frameBytes.length >= 16) {
      const length = this.frameBytes.readUInt32BE(4);
      if (this.frameBytes.length < 16 + length) break;
      this.frames.push({
        type: this.frameBytes.readUInt32BE(0),
        timestampUs: this.frameBytes.readBigUInt64BE(8),
        message: this.frameBytes.subarray(16, 16 + length).toString('utf8'),
      });
      this.frameBytes = this.frameBytes.subarray(16 + length);
    }
    this.output.emit('output');
  }

  /** Resolves with stdout once it satisfies `matches`. */
  async waitForStdout(description: string, matches: (stdout: string) => boolean, timeoutMs = 30_000): Promise<string> {
    if (matches(this.stdoutText)) return this.stdoutText;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      for await (const _ of on(this.output, 'output', { signal })) {
        if (matches(this.stdoutText)) return this.stdoutText;
        if (this.exit) break;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
    throw new Error(`stdout never showed ${description}; stdout:\n${this.stdoutText}\nstderr:\n${this.stderrText}`);
  }

  /** Resolves when the process has exited by itself, or fails after `timeoutMs`. */
  async waitForExit(timeoutMs = 30_000): Promise<Exit> {
    const timer = new AbortController();
    try {
      return await Promise.race([
        this.exited,
        delay(timeoutMs, undefined, { signal: timer.signal }).then(() => {
          throw new Error(`The runtime did not exit within ${timeoutMs} ms; stderr:\n${this.stderrText}`);
        }),
      ]);
    } finally {
      timer.abort();
    }
  }

  /** Kill the process (if it still runs), wait for it, check it is gone, close the stub. Idempotent. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (!this.exit) this.child.kill('SIGKILL');
    await this.waitForExit();
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
    await this.api.close();
  }
}

/** The reserved variables the emulator gives a function (docs/conformance.md N.74), for a runtime pointed at `api`. */
export function lambdaEnvironment(api: RuntimeApiStub, fixtureDir: string, handler: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    // Keep __pycache__ out of the repository's fixtures and runtime folders.
    PYTHONDONTWRITEBYTECODE: '1',
    AWS_LAMBDA_RUNTIME_API: api.address,
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: fixtureDir,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'test-function',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/test-function',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_python3.11',
  };
}

/** Start a stub and the runtime; both are stopped when the test ends. */
export async function startPythonRuntime(t: TestContext, options: StartOptions): Promise<PythonRuntime> {
  const api = await RuntimeApiStub.start(options.stub);
  const fixtureDir = `${FIXTURES}${options.fixture}`;
  const env: Record<string, string> = {};
  const merged = { ...lambdaEnvironment(api, fixtureDir, options.handler ?? 'app.handler'), ...options.env };
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) env[name] = value;
  if (options.telemetryFd) env._LAMBDA_TELEMETRY_LOG_FD = '3';

  const child = spawn(python(), [BOOTSTRAP, ...(options.args ?? [])], {
    cwd: fixtureDir,
    env,
    stdio: options.telemetryFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  const runtime = new PythonRuntime(child, api);
  t.after(() => runtime.stop());
  return runtime;
}

/** Parse a recorded request's body as JSON. */
export function jsonBody(request: { body: Buffer }): unknown {
  return JSON.parse(request.body.toString('utf8'));
}
