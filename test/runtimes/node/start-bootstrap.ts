// Starts the Node.js runtime interface client as the emulator does: a real
// `node lib/runtimes/node/bootstrap.mjs` in the function's code directory, with the
// reserved Lambda environment variables, against a FakeRuntimeApi. Every start
// registers its own cleanup with the test: the process is killed and must be gone, the
// server is closed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { FakeRuntimeApi, waitOn } from './fake-runtime-api.js';

export const BOOTSTRAP = fileURLToPath(new URL('../../../lib/runtimes/node/bootstrap.mjs', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/runtimes/node/', import.meta.url));

const DEFAULT_WAIT_MS = 30_000;

export interface StartOptions {
  /** The code directory (cwd and LAMBDA_TASK_ROOT), relative to the fixtures or absolute. */
  readonly codeDir: string;
  readonly handler: string;
  /** Added to (or, when undefined, removed from) the reserved variables. */
  readonly env?: Record<string, string | undefined>;
  /** Opens a pipe as fd 3 and passes it as `_LAMBDA_TELEMETRY_LOG_FD`. */
  readonly telemetryFd?: boolean;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningBootstrap {
  readonly api: FakeRuntimeApi;
  readonly child: ChildProcess;
  /** Complete stdout lines so far. */
  readonly stdoutLines: string[];
  stderr(): string;
  /** What arrived on the telemetry fd (with `telemetryFd`). */
  telemetry(): Buffer;
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  /** The first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The exit, failing the test when it does not come in time. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** The exit and the end of stdout and stderr: every line the process wrote is in. */
  waitForClose(timeoutMs?: number): Promise<Exit>;
}

function lambdaEnv(api: FakeRuntimeApi, codeDir: string, handler: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_RUNTIME_API: api.address,
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: codeDir,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'fixture',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fixture',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    TZ: ':UTC',
  };
}

/** Starts a FakeRuntimeApi and the runtime client against it, cleaned up after `t`. */
export async function startBootstrap(t: TestContext, options: StartOptions): Promise<RunningBootstrap> {
  const api = await FakeRuntimeApi.start();
  const codeDir = options.codeDir.startsWith('/') ? options.codeDir : `${FIXTURES}${options.codeDir}`;
  const env: Record<string, string> = lambdaEnv(api, codeDir, options.handler);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  if (options.telemetryFd === true) env._LAMBDA_TELEMETRY_LOG_FD = '3';
  const stdio: ('ignore' | 'pipe')[] = ['ignore', 'pipe', 'pipe'];
  if (options.telemetryFd === true) stdio.push('pipe');
  const child = spawn(process.execPath, [BOOTSTRAP], { cwd: codeDir, env, stdio });
  const telemetry: Buffer[] = [];
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    telemetry.push(chunk);
  });
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const stdoutLines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const parts = (pending + text).split('\n');
    pending = parts.pop() ?? '';
    stdoutLines.push(...parts);
    changes.emit('change');
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let exit: Exit | undefined;
  let closed = false;
  child.on('close', () => {
    closed = true;
    changes.emit('change');
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      changes.emit('change');
    });
  });

  t.after(async () => {
    if (exit === undefined) child.kill('SIGKILL');
    await exited;
    const pid = child.pid as number;
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `runtime process ${pid} is still alive`);
    await api.close();
  });

  return {
    api,
    child,
    stdoutLines,
    stderr: () => stderr,
    telemetry: () => Buffer.concat(telemetry),
    exited,
    waitForLine: (pattern, timeoutMs = DEFAULT_WAIT_MS) =>
      waitOn(changes, () => stdoutLines.find((line) => pattern.test(line)), `a stdout line matching ${pattern}`, timeoutMs),
    waitForExit: (timeoutMs = DEFAULT_WAIT_MS) => waitOn(changes, () => exit, 'the runtime process to exit', timeoutMs),
    waitForClose: (timeoutMs = DEFAULT_WAIT_MS) =>
      waitOn(changes, () => (closed ? exit : undefined), 'the runtime process to exit and close its output', timeoutMs),
  };
}
