import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { FunctionSpec } from '../assembly/index.js';
import { describeRuntime, type RuntimeInfo } from '../runtimes/index.js';
import {
  RuntimeChannel,
  startRuntimeApiServer,
  type InitOutcome,
  type InvocationResponse,
  type RuntimeApiServer,
  type StreamCompletion,
} from '../runtime-api/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { splitLines } from './line-splitter.js';
import type { LogRecord, LogSink } from './log-record.js';
import {
  endLines,
  initReportLine,
  initStartLine,
  reportLine,
  startLine,
  timeoutLine,
  type PlatformLine,
  type PlatformStatus,
} from './platform-lines.js';
import { measureTreeRssBytes, readPeakRssBytes, signalProcessGroup } from './process-tree.js';
import { trackProcessGroup, untrackProcessGroup } from './process-registry.js';
import { buildRuntimeVariables, makeLogStreamName, type AwsCredentials } from './reserved-variables.js';
import { resolveRuntimeCommand, type RuntimeCommand } from './runtime-command.js';

/** Lambda's limit on the init phase. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;
const MEMORY_SAMPLE_INTERVAL_MS = 25;
const MB = 1024 * 1024;

/** Options of {@link ExecutionEnvironment.start}. */
export interface ExecutionEnvironmentOptions {
  readonly spec: FunctionSpec;
  /** The function's code, ready to run (`/var/task`). */
  readonly codeDirectory: string;
  /** The merged layers (`/opt`), if the function has any. */
  readonly layersDirectory?: string;
  /** The function's own variables after overrides; the reserved set is added on top. */
  readonly functionVariables: Readonly<Record<string, string>>;
  readonly credentials?: AwsCredentials;
  /** Receives every log record as it happens. */
  readonly onLog?: LogSink;
  /** Receives one-line notices about what cannot be matched exactly (e.g. the local Node.js version). */
  readonly onNotice?: (message: string) => void;
  /** @default DEFAULT_INIT_TIMEOUT_MS */
  readonly initTimeoutMs?: number;
}

/** One invocation as the caller asks for it. */
export interface InvokeRequest {
  /** The event bytes, passed to the runtime as they are. */
  readonly payload: Buffer;
  /** @default a new UUID */
  readonly requestId?: string;
  /** @default the function's unqualified ARN */
  readonly invokedFunctionArn?: string;
  /** JSON text. */
  readonly clientContext?: string;
  /** JSON text. */
  readonly cognitoIdentity?: string;
  /** @default a new X-Ray trace id */
  readonly traceId?: string;
}

/** What the caller of an invocation receives. */
export type CallerResponse =
  | { readonly kind: 'payload'; readonly body: Buffer; readonly contentType: string }
  | {
      readonly kind: 'stream';
      readonly contentType: string;
      readonly body: Readable;
      readonly completion: Promise<StreamCompletion>;
    }
  /** A function error: Lambda answers 200 with `X-Amz-Function-Error: Unhandled`. */
  | { readonly kind: 'function-error'; readonly errorType: string; readonly body: Buffer; readonly contentType: string };

/** Everything Lambda would report about one invocation. */
export interface InvocationReport {
  readonly requestId: string;
  readonly status: PlatformStatus;
  readonly errorType?: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Set on a cold start. */
  readonly initDurationMs?: number;
  /** Every log record of the invocation (and of the init before it), in order. */
  readonly logs: readonly LogRecord[];
}

/** An invocation under way: the answer comes first, the report when the runtime is done. */
export interface InvocationHandle {
  readonly requestId: string;
  readonly response: Promise<CallerResponse>;
  readonly report: Promise<InvocationReport>;
}

/** The lifecycle state of an environment. */
export type EnvironmentState = 'uninitialized' | 'idle' | 'invoking' | 'shutdown';

interface ExitInfo {
  readonly exitCode?: number;
  readonly signal?: string;
  readonly spawnError?: string;
}

interface RuntimeProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  readonly output: Promise<void>;
}

type InitResult =
  | { readonly status: 'success'; readonly durationMs: number }
  | { readonly status: 'error' | 'timeout'; readonly durationMs: number; readonly errorType: string; readonly body: Buffer; readonly contentType: string };

function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function exitMessage(exit: ExitInfo): string {
  if (exit.spawnError !== undefined) return exit.spawnError;
  if (exit.signal !== undefined) return `Runtime exited with error: signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal.replace(/^SIG/, '').toLowerCase()}`;
  if (exit.exitCode === 0) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${exit.exitCode ?? 'unknown'}`;
}

function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const hex = (bytes: number): string => randomUUID().replaceAll('-', '').slice(0, bytes * 2);
  return `Root=1-${epoch}-${hex(12)};Parent=${hex(8)};Sampled=0`;
}

/** The errorType inside a function error body, when it has one. */
function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const errorType = (parsed as { errorType?: unknown } | null)?.errorType;
    return typeof errorType === 'string' ? errorType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One execution environment: its Runtime API on loopback and its runtime process,
 * with Lambda's lifecycle (init, invoke, timeouts, crashes, reset) and its log lines.
 */
export class ExecutionEnvironment implements AsyncDisposable {
  readonly spec: FunctionSpec;
  readonly #options: ExecutionEnvironmentOptions;
  readonly #runtime: RuntimeInfo;
  readonly #channel = new RuntimeChannel();
  readonly #server: RuntimeApiServer;
  readonly #logStreamName: string;
  #state: EnvironmentState = 'uninitialized';
  #process: RuntimeProcess | undefined;
  #command: RuntimeCommand | undefined;
  /** Set after an init that failed in the init phase: the next invoke retries it. */
  #failedInit: InitResult | undefined;
  #peakMemoryBytes = 0;
  #collector: LogRecord[] | undefined;
  #currentRequestId: string | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: ExecutionEnvironmentOptions, runtime: RuntimeInfo, server: RuntimeApiServer, channel: RuntimeChannel) {
    this.spec = options.spec;
    this.#options = options;
    this.#runtime = runtime;
    this.#server = server;
    this.#channel = channel;
    this.#logStreamName = makeLogStreamName(options.spec.version);
  }

  /** Starts the environment's Runtime API; the runtime itself starts with the first invoke. */
  static async start(options: ExecutionEnvironmentOptions): Promise<ExecutionEnvironment> {
    const runtime = options.spec.runtime === undefined ? undefined : describeRuntime(options.spec.runtime);
    if (runtime === undefined) {
      throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${options.spec.constructPath} has runtime '${options.spec.runtime ?? 'none'}', which cdk-local cannot run.`);
    }
    const channel = new RuntimeChannel();
    let server: RuntimeApiServer;
    try {
      server = await startRuntimeApiServer({ channel });
    } catch (cause) {
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not start the Runtime API for ${options.spec.constructPath} on 127.0.0.1.`, { cause });
    }
    return new ExecutionEnvironment(options, runtime, server, channel);
  }

  /** The current lifecycle state. */
  get state(): EnvironmentState {
    return this.#state;
  }

  /** `host:port` of this environment's Runtime API. */
  get runtimeApiAddress(): string {
    return this.#server.address;
  }

  /** Runs one invocation; one at a time per environment. */
  invoke(request: InvokeRequest): InvocationHandle {
    if (this.#state === 'shutdown') throw new CdkLocalError(ErrorCodes.CLOSED, `The environment of ${this.spec.constructPath} was shut down.`);
    if (this.#state === 'invoking') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `The environment of ${this.spec.constructPath} is busy with another invocation.`);
    this.#state = 'invoking';
    const requestId = request.requestId ?? randomUUID();
    let answer!: (response: CallerResponse) => void;
    const response = new Promise<CallerResponse>((resolve) => {
      answer = resolve;
    });
    const report = this.#run(requestId, request, answer).finally(() => {
      if (this.#state === 'invoking') this.#state = this.#process === undefined ? 'uninitialized' : 'idle';
    });
    // A report that fails (an internal error) must still settle the caller's answer.
    report.catch(() => answer({ kind: 'function-error', errorType: 'Sandbox.Failure', body: errorBody('Sandbox.Failure', 'The execution environment failed'), contentType: 'application/json' }));
    return { requestId, response, report };
  }

  async #run(requestId: string, request: InvokeRequest, answer: (response: CallerResponse) => void): Promise<InvocationReport> {
    const logs: LogRecord[] = [];
    this.#collector = logs;
    try {
      let initDurationMs: number | undefined;
      if (this.#process === undefined && this.#failedInit === undefined) {
        const init = await this.#initialize('init', this.#options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS);
        initDurationMs = init.durationMs;
        if (init.status !== 'success') this.#failedInit = init;
      }

      const startedAt = performance.now();
      const deadlineMs = Date.now() + this.spec.timeoutSeconds * 1000;
      this.#currentRequestId = requestId;
      this.#platform(startLine(requestId, this.spec.version));

      const finish = (status: PlatformStatus, errorType: string | undefined, extraInitMs = 0): InvocationReport => {
        const durationMs = performance.now() - startedAt;
        return this.#finishReport(requestId, logs, status, errorType, durationMs, initDurationMs, extraInitMs);
      };

      if (this.#failedInit !== undefined) {
        // Lambda retries a failed init inside the first invocation, within the function timeout.
        this.#failedInit = undefined;
        const retry = await this.#initialize('invoke', this.spec.timeoutSeconds * 1000);
        if (retry.status !== 'success') {
          await this.#killRuntime();
          answer({ kind: 'function-error', errorType: retry.errorType, body: retry.body, contentType: retry.contentType });
          return finish(retry.status === 'timeout' ? 'timeout' : 'error', retry.errorType);
        }
      }

      return await this.#invokeRuntime(requestId, request, deadlineMs, answer, finish);
    } finally {
      this.#currentRequestId = undefined;
      this.#collector = undefined;
    }
  }

  async #invokeRuntime(
    requestId: string,
    request: InvokeRequest,
    deadlineMs: number,
    answer: (response: CallerResponse) => void,
    finish: (status: PlatformStatus, errorType: string | undefined) => InvocationReport,
  ): Promise<InvocationReport> {
    const runtime = this.#process!;
    const pending = this.#channel.invoke({
      requestId,
      payload: request.payload,
      deadlineMs,
      invokedFunctionArn: request.invokedFunctionArn ?? this.spec.functionArn,
      traceId: request.traceId ?? newTraceId(),
      clientContext: request.clientContext,
      cognitoIdentity: request.cognitoIdentity,
    });
    const stop = new AbortController();
    const deadline = sleep(Math.max(0, deadlineMs - Date.now()), 'timeout' as const, { signal: stop.signal }).catch(() => 'cancelled' as const);
    const outOfMemory = this.#watchMemory(runtime.pid, stop.signal);
    const exited = runtime.exited.then((exit) => ({ exit }));

    try {
      // First: the answer, or the end of the runtime.
      const first = await Promise.race([pending.response.then((response) => ({ response })), exited, deadline, outOfMemory]);
      if (first === 'timeout') return await this.#timeOut(requestId, answer, finish, undefined);
      if (first === 'out-of-memory') return await this.#outOfMemory(requestId, answer, finish);
      if (first === 'cancelled') throw new Error('unreachable');
      if ('exit' in first) return await this.#runtimeExited(requestId, first.exit, answer, finish);

      const { response } = first;
      const delivered = this.#deliver(response, answer);
      // Then: the runtime calls /next again (and a stream ends), within the same deadline.
      const done = Promise.all([pending.runtimeDone, delivered.completion]).then(() => 'done' as const);
      const second = await Promise.race([done, exited, deadline, outOfMemory]);
      if (second === 'timeout') return await this.#timeOut(requestId, answer, finish, delivered.stream);
      if (second === 'out-of-memory') return await this.#outOfMemory(requestId, answer, finish);
      if (second === 'cancelled') throw new Error('unreachable');
      if (second !== 'done') return await this.#runtimeExited(requestId, second.exit, answer, finish);
      // A last sample: an invocation can end before the first periodic one finishes.
      await this.#sampleMemory(runtime.pid);
      return finish(delivered.status, delivered.errorType);
    } finally {
      stop.abort();
    }
  }

  /** Turns what the runtime posted into what the caller gets. */
  #deliver(
    response: InvocationResponse,
    answer: (response: CallerResponse) => void,
  ): { status: PlatformStatus; errorType?: string; completion: Promise<unknown>; stream?: Readable } {
    switch (response.kind) {
      case 'buffered':
        answer({ kind: 'payload', body: response.body, contentType: response.contentType });
        return { status: 'success', completion: Promise.resolve() };
      case 'streaming':
        answer({ kind: 'stream', contentType: response.contentType, body: response.body, completion: response.completion });
        return { status: 'success', completion: response.completion, stream: response.body };
      case 'error': {
        const errorType = response.errorType ?? errorTypeOf(response.body) ?? 'Function.Unknown';
        answer({ kind: 'function-error', errorType, body: response.body, contentType: response.contentType });
        return { status: 'error', errorType, completion: Promise.resolve() };
      }
      case 'too-large': {
        const errorType = 'Function.ResponseSizeTooLarge';
        answer({
          kind: 'function-error',
          errorType,
          body: errorBody(errorType, `Response payload size (${response.sizeBytes} bytes) exceeded maximum allowed payload size (6291556 bytes).`),
          contentType: 'application/json',
        });
        return { status: 'error', errorType, completion: Promise.resolve() };
      }
      case 'truncated': {
        const errorType = 'Runtime.TruncatedResponse';
        answer({ kind: 'function-error', errorType, body: errorBody(errorType, 'The runtime closed the connection before the response was complete'), contentType: 'application/json' });
        return { status: 'error', errorType, completion: Promise.resolve() };
      }
    }
  }

  async #timeOut(
    requestId: string,
    answer: (response: CallerResponse) => void,
    finish: (status: PlatformStatus, errorType: string | undefined) => InvocationReport,
    stream: Readable | undefined,
  ): Promise<InvocationReport> {
    const errorType = 'Sandbox.Timedout';
    const seconds = this.spec.timeoutSeconds.toFixed(2);
    this.#channel.abandon();
    await this.#killRuntime();
    this.#emit({ time: new Date(), type: 'platform', text: timeoutLine(new Date(), requestId, this.spec.timeoutSeconds), requestId });
    const body = errorBody(errorType, `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`);
    if (stream !== undefined) stream.destroy(new Error(`Task timed out after ${seconds} seconds`));
    answer({ kind: 'function-error', errorType, body, contentType: 'application/json' });
    return finish('timeout', undefined);
  }

  async #outOfMemory(
    requestId: string,
    answer: (response: CallerResponse) => void,
    finish: (status: PlatformStatus, errorType: string | undefined) => InvocationReport,
  ): Promise<InvocationReport> {
    const errorType = 'Runtime.OutOfMemory';
    this.#channel.abandon();
    await this.#killRuntime();
    answer({
      kind: 'function-error',
      errorType,
      body: errorBody(errorType, `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`),
      contentType: 'application/json',
    });
    return finish('error', errorType);
  }

  async #runtimeExited(
    requestId: string,
    exit: ExitInfo,
    answer: (response: CallerResponse) => void,
    finish: (status: PlatformStatus, errorType: string | undefined) => InvocationReport,
  ): Promise<InvocationReport> {
    const errorType = 'Runtime.ExitError';
    this.#channel.abandon();
    await this.#killRuntime();
    answer({ kind: 'function-error', errorType, body: errorBody(errorType, `RequestId: ${requestId} Error: ${exitMessage(exit)}`), contentType: 'application/json' });
    return finish('error', errorType);
  }

  #finishReport(
    requestId: string,
    logs: LogRecord[],
    status: PlatformStatus,
    errorType: string | undefined,
    durationMs: number,
    initDurationMs: number | undefined,
    _extraInitMs: number,
  ): InvocationReport {
    // Since August 2025 a cold start's billed duration includes its init.
    const billedDurationMs = Math.ceil(durationMs + (initDurationMs ?? 0));
    const metrics = {
      durationMs: Math.round(durationMs * 100) / 100,
      billedDurationMs,
      memorySizeMb: this.spec.memorySizeMb,
      maxMemoryUsedMb: Math.max(1, Math.round(this.#peakMemoryBytes / MB)),
      ...(initDurationMs === undefined ? {} : { initDurationMs: Math.round(initDurationMs * 100) / 100 }),
    };
    for (const line of endLines(requestId, status, metrics.durationMs, errorType)) this.#platform(line);
    this.#platform(reportLine(requestId, metrics, status, errorType));
    return { requestId, status, ...(errorType === undefined ? {} : { errorType }), ...metrics, logs };
  }

  /** Starts the runtime process and waits until it is ready, fails, exits or runs out of time. */
  async #initialize(phase: 'init' | 'invoke', budgetMs: number): Promise<InitResult> {
    const command = await this.#resolveCommand();
    const startedAt = performance.now();
    this.#platform(initStartLine(this.spec, this.#runtime, phase));
    const outcome = this.#channel.expectInit();
    const elapsed = (): number => performance.now() - startedAt;
    const fail = async (status: 'error' | 'timeout', errorType: string, body: Buffer, contentType = 'application/json'): Promise<InitResult> => {
      await this.#killRuntime();
      const durationMs = elapsed();
      this.#platform(initReportLine(phase, durationMs, status, errorType));
      return { status, durationMs, errorType, body, contentType };
    };
    if (command === undefined) {
      const message = `Couldn't find valid bootstrap(s): [${this.#options.codeDirectory}/bootstrap${this.#options.layersDirectory === undefined ? '' : ` ${this.#options.layersDirectory}/bootstrap`}]`;
      return fail('error', 'Runtime.InvalidEntrypoint', errorBody('Runtime.InvalidEntrypoint', message));
    }

    const runtime = this.#spawn(command);
    const stop = new AbortController();
    try {
      const result = await Promise.race([
        outcome,
        runtime.exited.then((exit) => ({ kind: 'exit' as const, exit })),
        sleep(budgetMs, { kind: 'timeout' as const }, { signal: stop.signal }),
      ]);
      switch (result.kind) {
        case 'ready':
          this.#platform(initReportLine(phase, elapsed(), 'success'));
          return { status: 'success', durationMs: elapsed() };
        case 'error': {
          const errorType = result.errorType ?? errorTypeOf(result.body) ?? 'Runtime.Unknown';
          return fail('error', errorType, result.body, result.contentType);
        }
        case 'exit': {
          const errorType = result.exit.spawnError === undefined ? 'Runtime.ExitError' : 'Runtime.InvalidEntrypoint';
          return fail('error', errorType, errorBody(errorType, exitMessage(result.exit)));
        }
        case 'timeout':
          return fail('timeout', 'Runtime.Unknown', errorBody('Sandbox.Timedout', `Init timed out after ${(budgetMs / 1000).toFixed(2)} seconds`));
      }
    } finally {
      stop.abort();
    }
  }

  async #resolveCommand(): Promise<RuntimeCommand | undefined> {
    if (this.#command === undefined) {
      this.#command = await resolveRuntimeCommand(this.#runtime, this.spec.constructPath, this.#options.codeDirectory, this.#options.layersDirectory);
      if (this.#command?.notice !== undefined) this.#options.onNotice?.(this.#command.notice);
    }
    return this.#command;
  }

  #spawn(command: RuntimeCommand): RuntimeProcess {
    const env = buildRuntimeVariables({
      spec: this.spec,
      runtime: this.#runtime,
      runtimeApi: this.#server.address,
      paths: {
        taskRoot: this.#options.codeDirectory,
        runtimeDir: command.runtimeDir,
        optDir: this.#options.layersDirectory,
        nodeExecutable: process.execPath,
      },
      functionVariables: this.#options.functionVariables,
      credentials: this.#options.credentials,
      logStreamName: this.#logStreamName,
    });
    const subprocess = execa(command.file, [...command.args], {
      cwd: this.#options.codeDirectory,
      env,
      extendEnv: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // A process group of its own: Ctrl-C reaches cdk-local, which then stops it in order,
      // and killing the group takes whatever the function started too.
      detached: true,
      stripFinalNewline: false,
    });
    const pid = subprocess.pid;
    if (pid !== undefined) trackProcessGroup(pid);
    const onLine = (line: string): void => {
      this.#emit({ time: new Date(), type: 'function', text: line, requestId: this.#currentRequestId });
    };
    const output = Promise.all([
      subprocess.stdout === null ? undefined : splitLines(subprocess.stdout, onLine),
      subprocess.stderr === null ? undefined : splitLines(subprocess.stderr, onLine),
    ]).then(() => undefined);
    const exited = subprocess.then(async (result): Promise<ExitInfo> => {
      if (pid !== undefined) {
        // Whatever the runtime left behind in its group goes with it, as in a reset sandbox.
        signalProcessGroup(pid, 'SIGKILL');
        untrackProcessGroup(pid);
      }
      await output;
      const code = (result as { code?: string }).code;
      if (code === 'ENOENT' || code === 'EACCES') return { spawnError: `Runtime failed to start: ${code === 'ENOENT' ? 'no such file' : 'permission denied'}: ${command.file}` };
      return result.signal === undefined ? { exitCode: result.exitCode } : { signal: result.signal };
    });
    const runtime: RuntimeProcess = { pid: pid ?? -1, exited, output };
    this.#process = runtime;
    void exited.then(() => {
      if (this.#process === runtime) this.#process = undefined;
    });
    return runtime;
  }

  /** Samples the memory of the runtime's process tree; resolves when it goes over the limit. */
  async #watchMemory(pid: number, signal: AbortSignal): Promise<'out-of-memory' | 'cancelled'> {
    const limitBytes = this.spec.memorySizeMb * MB;
    try {
      while (!signal.aborted) {
        if ((await this.#sampleMemory(pid)) > limitBytes) return 'out-of-memory';
        await sleep(MEMORY_SAMPLE_INTERVAL_MS, undefined, { signal });
      }
    } catch {
      // Aborted: the invocation is over.
    }
    return 'cancelled';
  }

  /** Measures the runtime's process tree and keeps the peak; returns the current size. */
  async #sampleMemory(pid: number): Promise<number> {
    const rss = Math.max(await measureTreeRssBytes(pid), await readPeakRssBytes(pid));
    if (rss > this.#peakMemoryBytes) this.#peakMemoryBytes = rss;
    return rss;
  }

  async #killRuntime(): Promise<void> {
    const runtime = this.#process;
    if (runtime === undefined) return;
    signalProcessGroup(runtime.pid, 'SIGKILL');
    await runtime.exited;
  }

  #platform(line: PlatformLine): void {
    const json = this.spec.logging.logFormat === 'JSON';
    const time = new Date();
    if (json) {
      this.#emit({ time, type: 'platform', text: JSON.stringify({ time: time.toISOString(), type: line.type, record: line.record }), requestId: this.#currentRequestId });
    } else if (line.text !== undefined) {
      this.#emit({ time, type: 'platform', text: line.text, requestId: this.#currentRequestId });
    }
  }

  #emit(record: LogRecord): void {
    this.#collector?.push(record);
    this.#options.onLog?.(record);
  }

  /**
   * Shuts the environment down as Lambda does when it reclaims one with no extensions:
   * the runtime is killed at once. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'shutdown';
      const results = await Promise.allSettled([this.#killRuntime()]);
      results.push(...(await Promise.allSettled([this.#server.close()])));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })();
    return this.#closing;
  }

  /** Same as {@link shutdown}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

/** Helper for callers: the outcome type of an init, re-exported for tests. */
export type { InitOutcome };
