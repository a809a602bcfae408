import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionSpec } from '../assembly/index.js';
import { describeRuntime, type RuntimeInfo } from '../runtimes/index.js';
import {
  ExtensionRegistry,
  RuntimeChannel,
  TelemetryHub,
  registerExtensionRoutes,
  registerTelemetryRoutes,
  startRuntimeApiServer,
  type InitOutcome,
  type RuntimeApiServer,
  type ShutdownReason,
  type TelemetryEvent,
} from '../runtime-api/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { deliverResponse, errorBody, errorTypeOf, functionError, type Answer, type CallerResponse } from './caller-response.js';
import { Conditions } from './conditions.js';
import { SILENT_LOGGER, type DiagnosticLogger } from './diagnostics.js';
import { extensionVariables, listExternalExtensions } from './extensions.js';
import type { LogRecord, LogSink } from './log-record.js';
import { describeExit, startManagedProcess, type ExitInfo, type ManagedProcess } from './managed-process.js';
import {
  initReportLine,
  initRuntimeDoneRecord,
  initStartLine,
  reportLine,
  runtimeDoneLine,
  startLine,
  timeoutLine,
  type PlatformLine,
  type PlatformStatus,
} from './platform-lines.js';
import { delay } from './delay.js';
import { findSandboxedProcess, measureTreeRssBytes, readPeakRssBytes } from './process-tree.js';
import { buildRuntimeVariables, makeLogStreamName, type AwsCredentials } from './reserved-variables.js';
import { resolveRuntimeCommand, type RuntimeCommand } from './runtime-command.js';
import { chooseSandbox, prepareLauncher, type Launcher, type SandboxSetting } from './sandbox/index.js';

/** Lambda's limit on the init phase. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;
const MEMORY_SAMPLE_INTERVAL_MS = 25;
const MB = 1024 * 1024;
/** Shutdown budgets of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown */
const SHUTDOWN_BUDGET_EXTERNAL_MS = 2000;
const SHUTDOWN_BUDGET_INTERNAL_MS = 500;
const RUNTIME_SHUTDOWN_SHARE_MS = 300;

/** Something that happened to an environment, for tests that wait on it. */
export type EnvironmentEvent =
  | { readonly type: 'extension-registered'; readonly name: string }
  | { readonly type: 'initialized'; readonly status: 'success' | 'error' | 'timeout' }
  | { readonly type: 'invocation-complete'; readonly requestId: string; readonly status: PlatformStatus }
  | { readonly type: 'frozen' }
  | { readonly type: 'thawed' }
  | { readonly type: 'shutdown' };

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
  /** Receives every telemetry event (platform, function, extension) as it happens. */
  readonly onTelemetry?: (event: TelemetryEvent) => void;
  /** Receives one-line notices about what cannot be matched exactly (e.g. the local Node.js version). */
  readonly onNotice?: (message: string) => void;
  /** Receives lifecycle events (extension registered, invocation complete, frozen, shut down). */
  readonly onEvent?: (event: EnvironmentEvent) => void;
  /** cdk-local's own diagnostics (spawns, inits, resets, shutdowns). @default silent */
  readonly logger?: DiagnosticLogger;
  /** @default DEFAULT_INIT_TIMEOUT_MS */
  readonly initTimeoutMs?: number;
  /**
   * Stop (SIGSTOP) the environment's processes between invocations, as Lambda freezes them.
   * @default true
   */
  readonly freeze?: boolean;
  /**
   * Run the environment's processes in a bubblewrap sandbox that looks like Lambda's
   * (`/var/task`, `/opt`, a capped `/tmp`, a PID namespace of its own): `'auto'` where
   * bubblewrap works, `true` always (start fails where it cannot), `false` never.
   * @default 'auto'
   */
  readonly sandbox?: SandboxSetting;
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
  /** Every telemetry event of the invocation (and of the init before it), in order. */
  readonly telemetry: readonly TelemetryEvent[];
}

/** An invocation under way: the answer comes first, the report when the runtime is done. */
export interface InvocationHandle {
  readonly requestId: string;
  readonly response: Promise<CallerResponse>;
  readonly report: Promise<InvocationReport>;
}

/** The lifecycle state of an environment. */
export type EnvironmentState = 'uninitialized' | 'idle' | 'invoking' | 'shutdown';

type InitResult =
  | { readonly status: 'success'; readonly durationMs: number }
  | { readonly status: 'error' | 'timeout'; readonly durationMs: number; readonly errorType: string; readonly body: Buffer; readonly contentType: string };

/** Something other than the runtime broke the environment (an extension). */
interface EnvironmentFailure {
  readonly kind: 'failure';
  readonly errorType: string;
  readonly message: string;
}

interface ExtensionProcess {
  readonly name: string;
  readonly process: ManagedProcess;
}

/** Ends an invocation's report; the duration is measured unless given (a timeout's is the timeout). */
type Finish = (status: PlatformStatus, errorType: string | undefined, durationMs?: number) => InvocationReport;

function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const hex = (bytes: number): string => randomUUID().replaceAll('-', '').slice(0, bytes * 2);
  return `Root=1-${epoch}-${hex(12)};Parent=${hex(8)};Sampled=0`;
}

/**
 * One execution environment: its Runtime and Extensions API on loopback, its extension
 * processes and its runtime process, with Lambda's lifecycle (init, invoke, freeze,
 * timeouts, crashes, reset, shutdown) and its log lines.
 */
export class ExecutionEnvironment implements AsyncDisposable {
  readonly spec: FunctionSpec;
  readonly #options: ExecutionEnvironmentOptions;
  readonly #runtime: RuntimeInfo;
  readonly #channel: RuntimeChannel;
  readonly #registry: ExtensionRegistry;
  readonly #conditions: Conditions;
  readonly #telemetry: TelemetryHub;
  readonly #server: RuntimeApiServer;
  readonly #logStreamName: string;
  readonly #logger: DiagnosticLogger;
  #state: EnvironmentState = 'uninitialized';
  #runtimeProcess: ManagedProcess | undefined;
  #extensions: ExtensionProcess[] = [];
  #command: RuntimeCommand | undefined;
  #launcher: Launcher | undefined;
  /** Set after an init that failed in the init phase: the next invoke retries it. */
  #failedInit: InitResult | undefined;
  /** Settles when an extension breaks the environment; renewed at each init. */
  #failure: Promise<EnvironmentFailure> = new Promise(() => undefined);
  #fail: (failure: EnvironmentFailure) => void = () => undefined;
  #frozen = false;
  #freezeTimer: NodeJS.Immediate | undefined;
  #peakMemoryBytes = 0;
  #peakPidOf: { readonly launched: number; readonly runtime: number } | undefined;
  #collector: { readonly logs: LogRecord[]; readonly telemetry: TelemetryEvent[] } | undefined;
  #currentRequestId: string | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    options: ExecutionEnvironmentOptions,
    runtime: RuntimeInfo,
    parts: { server: RuntimeApiServer; channel: RuntimeChannel; registry: ExtensionRegistry; conditions: Conditions; telemetry: TelemetryHub },
  ) {
    this.spec = options.spec;
    this.#options = options;
    this.#runtime = runtime;
    this.#server = parts.server;
    this.#channel = parts.channel;
    this.#registry = parts.registry;
    this.#conditions = parts.conditions;
    this.#telemetry = parts.telemetry;
    this.#logStreamName = makeLogStreamName(options.spec.version);
    this.#logger = (options.logger ?? SILENT_LOGGER).child({ environment: parts.server.address });
    this.#logger.debug({ runtime: options.spec.runtime }, 'environment started');
  }

  /** Starts the environment's APIs; its processes start with the first invoke. */
  static async start(options: ExecutionEnvironmentOptions): Promise<ExecutionEnvironment> {
    const { spec } = options;
    const runtime = spec.runtime === undefined ? undefined : describeRuntime(spec.runtime);
    if (runtime === undefined) {
      throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${spec.constructPath} has runtime '${spec.runtime ?? 'none'}', which cdk-local cannot run.`);
    }
    // A sandbox that is required but cannot be had fails here, not at the first invoke.
    await chooseSandbox(options.sandbox);
    const conditions = new Conditions();
    // The registry exists before the environment that its failures are reported to.
    const target: { fail?: (failure: EnvironmentFailure) => void } = {};
    const registry = new ExtensionRegistry({
      registered: (extension) => {
        conditions.check();
        options.onEvent?.({ type: 'extension-registered', name: extension.name });
      },
      idle: () => conditions.check(),
      failed: (extension, kind, errorType) => {
        const message = `Extension ${extension.name} reported an ${kind} error: ${errorType}`;
        target.fail?.({ kind: 'failure', errorType: kind === 'init' ? 'Extension.InitError' : 'Extension.ExitError', message });
      },
    });
    const channel = new RuntimeChannel();
    const telemetry = new TelemetryHub();
    let server: RuntimeApiServer;
    try {
      server = await startRuntimeApiServer({
        channel,
        plugins: [
          (app) =>
            registerExtensionRoutes(app, {
              registry,
              functionInfo: { functionName: spec.functionName, functionVersion: spec.version, handler: spec.handler ?? '', accountId: spec.accountId },
            }),
          (app) => registerTelemetryRoutes(app, { hub: telemetry, registry }),
        ],
      });
    } catch (cause) {
      await telemetry.close();
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not start the Runtime API for ${spec.constructPath} on 127.0.0.1.`, { cause });
    }
    const environment = new ExecutionEnvironment(options, runtime, { server, channel, registry, conditions, telemetry });
    target.fail = (failure) => environment.#fail(failure);
    return environment;
  }

  /** The current lifecycle state. */
  get state(): EnvironmentState {
    return this.#state;
  }

  /** `host:port` of this environment's Runtime API. */
  get runtimeApiAddress(): string {
    return this.#server.address;
  }

  /** Whether the environment's processes are stopped between invocations right now. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** Pids of the environment's live processes (runtime first, then extensions). */
  get pids(): number[] {
    const all = [this.#runtimeProcess, ...this.#extensions.map((extension) => extension.process)];
    return all.filter((process): process is ManagedProcess => process !== undefined && !process.hasExited()).map((process) => process.pid);
  }

  /** Runs one invocation; one at a time per environment. */
  invoke(request: InvokeRequest): InvocationHandle {
    if (this.#state === 'shutdown') throw new CdkLocalError(ErrorCodes.CLOSED, `The environment of ${this.spec.constructPath} was shut down.`);
    if (this.#state === 'invoking') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `The environment of ${this.spec.constructPath} is busy with another invocation.`);
    this.#state = 'invoking';
    const requestId = request.requestId ?? randomUUID();
    let answered = false;
    let resolveResponse!: Answer;
    const response = new Promise<CallerResponse>((resolve) => {
      resolveResponse = resolve;
    });
    const answer: Answer = (value) => {
      if (answered) return;
      answered = true;
      resolveResponse(value);
    };
    const report = this.#run(requestId, request, answer).finally(() => {
      if (this.#state === 'invoking') this.#state = this.#runtimeProcess === undefined ? 'uninitialized' : 'idle';
      if (this.#state === 'idle' && this.#options.freeze !== false) this.#scheduleFreeze();
    });
    // A report that fails (an internal error) must still settle the caller's answer.
    report.catch(() => answer(functionError('Sandbox.Failure', 'The execution environment failed')));
    return { requestId, response, report };
  }

  async #run(requestId: string, request: InvokeRequest, answer: Answer): Promise<InvocationReport> {
    const collected = { logs: [] as LogRecord[], telemetry: [] as TelemetryEvent[] };
    this.#collector = collected;
    try {
      this.#setFrozen(false);
      let initDurationMs: number | undefined;
      if (this.#runtimeProcess === undefined && this.#failedInit === undefined) {
        const init = await this.#initialize('init', this.#options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS);
        initDurationMs = init.durationMs;
        if (init.status !== 'success') this.#failedInit = init;
      }

      const startedAt = performance.now();
      const deadlineMs = Date.now() + this.spec.timeoutSeconds * 1000;
      this.#currentRequestId = requestId;
      this.#platform(startLine(requestId, this.spec.version));
      const finish: Finish = (status, errorType, durationMs = performance.now() - startedAt) =>
        this.#finishReport(requestId, collected, status, errorType, durationMs, initDurationMs);

      if (this.#failedInit !== undefined) {
        // Lambda retries a failed init inside the first invocation, within the function timeout.
        this.#failedInit = undefined;
        const retry = await this.#initialize('invoke', this.spec.timeoutSeconds * 1000);
        if (retry.status !== 'success') {
          await this.#reset('failure');
          answer({ kind: 'function-error', errorType: retry.errorType, body: retry.body, contentType: retry.contentType });
          return finish(retry.status === 'timeout' ? 'timeout' : 'error', retry.errorType);
        }
      }
      return await this.#invokeRuntime(requestId, request, deadlineMs, startedAt, answer, finish);
    } finally {
      this.#currentRequestId = undefined;
      this.#collector = undefined;
    }
  }

  async #invokeRuntime(
    requestId: string,
    request: InvokeRequest,
    deadlineMs: number,
    startedAt: number,
    answer: Answer,
    finish: Finish,
  ): Promise<InvocationReport> {
    const runtime = this.#runtimeProcess!;
    const traceId = request.traceId ?? newTraceId();
    const invokedFunctionArn = request.invokedFunctionArn ?? this.spec.functionArn;
    this.#registry.dispatch({
      eventType: 'INVOKE',
      deadlineMs,
      requestId,
      invokedFunctionArn,
      tracing: { type: 'X-Amzn-Trace-Id', value: traceId },
    });
    const pending = this.#channel.invoke({
      requestId,
      payload: request.payload,
      deadlineMs,
      invokedFunctionArn,
      traceId,
      ...(request.clientContext === undefined ? {} : { clientContext: request.clientContext }),
      ...(request.cognitoIdentity === undefined ? {} : { cognitoIdentity: request.cognitoIdentity }),
    });
    const deadlineTimer = delay(Math.max(0, deadlineMs - Date.now()), 'timeout' as const);
    const deadline = deadlineTimer.promise.then((value) => value ?? ('cancelled' as const));
    const memory = this.#watchMemory(runtime.pid);
    const exited = runtime.exited.then((exit) => ({ exit }));
    const ends = [exited, deadline, memory.outOfMemory, this.#failure] as const;

    const handleEnd = async (
      end: Awaited<(typeof ends)[number]>,
      stream: Readable | undefined,
    ): Promise<InvocationReport> => {
      if (end === 'cancelled') throw new Error('An invocation ended without a cause');
      // The runtime will not call /next again: its runtimeDone is told at the reset (docs/conformance.md K.64).
      const endedAt = performance.now();
      const runtimeDone = (status: PlatformStatus, errorType?: string): void =>
        this.#platform(
          runtimeDoneLine(requestId, status, errorType, { durationMs: endedAt - startedAt, producedBytes: 0, startedAt, respondedAt: endedAt, doneAt: endedAt }),
        );
      if (end === 'timeout') {
        runtimeDone('timeout');
        return this.#timeOut(requestId, answer, finish, stream);
      }
      this.#channel.abandon();
      if (end === 'out-of-memory') {
        runtimeDone('error', 'Runtime.OutOfMemory');
        await this.#reset('failure');
        answer(functionError('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`));
        return finish('error', 'Runtime.OutOfMemory');
      }
      if ('exit' in end) {
        runtimeDone('error', 'Runtime.ExitError');
        await this.#reset('failure');
        answer(functionError('Runtime.ExitError', `RequestId: ${requestId} Error: ${describeExit(end.exit)}`));
        return finish('error', 'Runtime.ExitError');
      }
      runtimeDone('failure', end.errorType);
      await this.#reset('failure');
      answer(functionError(end.errorType, `RequestId: ${requestId} Error: ${end.message}`));
      return finish('failure', end.errorType);
    };

    try {
      const first = await Promise.race([pending.response.then((response) => ({ response })), ...ends]);
      if (typeof first === 'string' || !('response' in first)) return await handleEnd(first, undefined);
      const respondedAt = performance.now();
      const delivered = deliverResponse(first.response, answer);

      // The runtime is done when it calls /next again (and a stream has ended); the
      // invocation when every INVOKE-subscribed extension has called /next too.
      const runtimeDone = Promise.all([pending.runtimeDone, delivered.completion]).then(() => {
        const now = performance.now();
        this.#platform(
          runtimeDoneLine(requestId, delivered.status, delivered.errorType, {
            durationMs: now - startedAt,
            producedBytes: delivered.producedBytes(),
            startedAt,
            respondedAt,
            doneAt: now,
          }),
        );
      });
      const done = Promise.all([runtimeDone, this.#conditions.when(() => this.#registry.allIdle)]).then(() => 'done' as const);
      const second = await Promise.race([done, ...ends]);
      if (second !== 'done') return await handleEnd(second, delivered.stream);
      // A last look at the peak: an invocation can end before the first periodic sample.
      await this.#samplePeakMemory(runtime.pid);
      return finish(delivered.status, delivered.errorType);
    } finally {
      deadlineTimer.cancel();
      memory.stop();
    }
  }


  async #timeOut(requestId: string, answer: Answer, finish: Finish, stream: Readable | undefined): Promise<InvocationReport> {
    const seconds = this.spec.timeoutSeconds.toFixed(2);
    this.#channel.abandon();
    this.#emit({ time: new Date(), type: 'platform', text: timeoutLine(new Date(), requestId, this.spec.timeoutSeconds), requestId });
    const message = `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`;
    // The caller learns at the deadline; the reset that follows is the environment's business.
    stream?.destroy(new Error(`Task timed out after ${seconds} seconds`));
    answer(functionError('Sandbox.Timedout', message));
    await this.#reset('timeout');
    // Lambda reports a timed-out invocation's duration as the timeout itself.
    return finish('timeout', undefined, this.spec.timeoutSeconds * 1000);
  }

  #finishReport(
    requestId: string,
    collected: { readonly logs: LogRecord[]; readonly telemetry: TelemetryEvent[] },
    status: PlatformStatus,
    errorType: string | undefined,
    durationMs: number,
    initDurationMs: number | undefined,
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
    this.#platform({ type: 'platform.end', record: { requestId }, text: `END RequestId: ${requestId}` }, { telemetry: false });
    this.#platform(reportLine(requestId, metrics, status, errorType));
    this.#options.onEvent?.({ type: 'invocation-complete', requestId, status });
    return { requestId, status, ...(errorType === undefined ? {} : { errorType }), ...metrics, logs: collected.logs, telemetry: collected.telemetry };
  }

  /**
   * Starts the extensions, waits until they registered, starts the runtime, and waits until
   * the runtime and every extension called /next; or until something fails or time runs out.
   */
  async #initialize(phase: 'init' | 'invoke', budgetMs: number): Promise<InitResult> {
    const command = await this.#resolveCommand();
    const extensionFiles = await listExternalExtensions(this.#options.layersDirectory);
    const startedAt = performance.now();
    const elapsed = (): number => performance.now() - startedAt;
    this.#telemetry.beginInit();
    this.#platform(initStartLine(this.spec, this.#runtime, phase));
    this.#registry.reset(extensionFiles.map((file) => file.name));
    this.#failure = new Promise<EnvironmentFailure>((resolve) => {
      this.#fail = resolve;
    });
    const outcome = this.#channel.expectInit();

    const fail = async (status: 'error' | 'timeout', errorType: string, body: Buffer, contentType = 'application/json'): Promise<InitResult> => {
      this.#platform(initRuntimeDoneRecord(phase, status, errorType));
      await this.#reset('failure');
      const durationMs = elapsed();
      this.#platform(initReportLine(phase, durationMs, status, errorType));
      this.#logger.debug({ phase, status, errorType, durationMs }, 'init failed');
      this.#options.onEvent?.({ type: 'initialized', status });
      return { status, durationMs, errorType, body, contentType };
    };
    if (command === undefined) {
      const message = `Couldn't find valid bootstrap(s): [${this.#options.codeDirectory}/bootstrap${this.#options.layersDirectory === undefined ? '' : ` ${this.#options.layersDirectory}/bootstrap`}]`;
      return fail('error', 'Runtime.InvalidEntrypoint', errorBody('Runtime.InvalidEntrypoint', message));
    }

    const stop = new AbortController();
    const timeout = sleep(budgetMs, 'timeout' as const, { signal: stop.signal }).catch(() => 'cancelled' as const);
    try {
      this.#extensions = extensionFiles.map((file) => this.#spawnExtension(file.name, file.path));
      const registered = this.#conditions.when(() => extensionFiles.every((file) => !this.#registry.isExpected(file.name)));
      const beforeRuntime = await Promise.race([registered.then(() => 'registered' as const), this.#failure, timeout]);
      if (beforeRuntime === 'timeout') return fail('timeout', 'Extension.TimedOut', errorBody('Extension.TimedOut', 'Extensions did not register in time'));
      if (typeof beforeRuntime === 'object') return fail('error', beforeRuntime.errorType, errorBody(beforeRuntime.errorType, beforeRuntime.message));

      const runtime = this.#spawnRuntime(command);
      const runtimeReady = await Promise.race([outcome, runtime.exited.then((exit) => ({ kind: 'exit' as const, exit })), this.#failure, timeout]);
      if (runtimeReady === 'timeout') {
        return fail('timeout', 'Runtime.Unknown', errorBody('Sandbox.Timedout', `Init timed out after ${(budgetMs / 1000).toFixed(2)} seconds`));
      }
      if (runtimeReady === 'cancelled') throw new Error('Init ended without a cause');
      if (runtimeReady.kind === 'failure') return fail('error', runtimeReady.errorType, errorBody(runtimeReady.errorType, runtimeReady.message));
      if (runtimeReady.kind === 'error') {
        const errorType = runtimeReady.errorType ?? errorTypeOf(runtimeReady.body) ?? 'Runtime.Unknown';
        return fail('error', errorType, runtimeReady.body, runtimeReady.contentType);
      }
      if (runtimeReady.kind === 'exit') {
        const errorType = runtimeReady.exit.spawnError === undefined ? 'Runtime.ExitError' : 'Runtime.InvalidEntrypoint';
        return fail('error', errorType, errorBody(errorType, describeExit(runtimeReady.exit)));
      }
      this.#platform(initRuntimeDoneRecord(phase, 'success'));

      const extensionsReady = await Promise.race([this.#conditions.when(() => this.#registry.allReady).then(() => 'ready' as const), this.#failure, timeout]);
      if (extensionsReady === 'timeout') return fail('timeout', 'Extension.TimedOut', errorBody('Extension.TimedOut', 'Extensions did not finish init in time'));
      if (typeof extensionsReady === 'object') return fail('error', extensionsReady.errorType, errorBody(extensionsReady.errorType, extensionsReady.message));
      this.#registry.closeRegistration();
      for (const extension of this.#registry.extensions) {
        this.#platform({ type: 'platform.extension', record: { name: extension.name, state: 'Ready', events: [...extension.events] } });
      }
      this.#platform(initReportLine(phase, elapsed(), 'success'));
      this.#telemetry.endInit();
      this.#logger.debug({ phase, durationMs: elapsed(), extensions: this.#registry.extensions.map((extension) => extension.name) }, 'init done');
      this.#options.onEvent?.({ type: 'initialized', status: 'success' });
      return { status: 'success', durationMs: elapsed() };
    } finally {
      stop.abort();
    }
  }

  async #resolveCommand(): Promise<RuntimeCommand | undefined> {
    if (this.#command === undefined) {
      const command = await resolveRuntimeCommand(this.#runtime, this.spec.constructPath, this.#options.codeDirectory, this.#options.layersDirectory);
      if (command?.notice !== undefined) this.#options.onNotice?.(command.notice);
      if (command !== undefined) {
        const { spec, codeDirectory, layersDirectory, sandbox } = this.#options;
        this.#launcher = await prepareLauncher({ spec, runtime: this.#runtime, command, codeDirectory, ...(layersDirectory === undefined ? {} : { layersDirectory }), ...(sandbox === undefined ? {} : { sandbox }) });
        if (this.#launcher.notice !== undefined) this.#options.onNotice?.(this.#launcher.notice);
      }
      this.#command = command;
    }
    return this.#command;
  }

  #runtimeVariables(): Record<string, string> {
    return buildRuntimeVariables({
      spec: this.spec,
      runtime: this.#runtime,
      runtimeApi: this.#server.address,
      paths: this.#launcher!.paths,
      functionVariables: this.#options.functionVariables,
      ...(this.#options.credentials === undefined ? {} : { credentials: this.#options.credentials }),
      logStreamName: this.#logStreamName,
    });
  }

  /**
   * The runtime's command line, behind the function's `AWS_LAMBDA_EXEC_WRAPPER` script when it
   * has one: Lambda starts the wrapper with the runtime's command line as its arguments
   * (managed runtimes only). https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html#runtime-wrapper
   */
  #runtimeCommandLine(command: RuntimeCommand): { file: string; args: readonly string[] } {
    const wrapper = this.#options.functionVariables['AWS_LAMBDA_EXEC_WRAPPER'];
    if (wrapper === undefined || wrapper === '' || this.#runtime.family === 'provided') return { file: command.file, args: command.args };
    return { file: this.#hostPath(wrapper), args: [command.file, ...command.args] };
  }

  /** A path as Lambda names it (`/opt/...`, `/var/task/...`) on this machine. */
  #hostPath(lambdaPath: string): string {
    const { codeDirectory, layersDirectory } = this.#options;
    if (layersDirectory !== undefined && lambdaPath.startsWith('/opt/')) return `${layersDirectory}/${lambdaPath.slice('/opt/'.length)}`;
    if (lambdaPath.startsWith('/var/task/')) return `${codeDirectory}/${lambdaPath.slice('/var/task/'.length)}`;
    return lambdaPath;
  }

  #spawnRuntime(command: RuntimeCommand): ManagedProcess {
    const launch = this.#launcher!.launch({ ...this.#runtimeCommandLine(command), cwd: this.#options.codeDirectory });
    const runtime = startManagedProcess({
      ...launch,
      env: this.#runtimeVariables(),
      onLine: (line) => {
        const time = new Date();
        this.#emit({ time, type: 'function', text: line, ...(this.#currentRequestId === undefined ? {} : { requestId: this.#currentRequestId }) });
        this.#publish({ time: time.toISOString(), type: 'function', record: this.#functionRecord(line) });
      },
    });
    this.#runtimeProcess = runtime;
    this.#logger.debug({ pid: runtime.pid, file: launch.file, args: launch.args, mode: this.#launcher!.mode }, 'runtime started');
    void runtime.exited.then((exit) => {
      this.#logger.debug({ pid: runtime.pid, ...exit }, 'runtime exited');
      if (this.#runtimeProcess === runtime) this.#runtimeProcess = undefined;
    });
    return runtime;
  }

  #spawnExtension(name: string, path: string): ExtensionProcess {
    const process = startManagedProcess({
      ...this.#launcher!.launch({ file: path, args: [], cwd: this.#options.layersDirectory ?? this.#options.codeDirectory }),
      env: extensionVariables(this.#runtimeVariables()),
      onLine: (line) => {
        const time = new Date();
        this.#emit({ time, type: 'extension', text: line, source: name, ...(this.#currentRequestId === undefined ? {} : { requestId: this.#currentRequestId }) });
        this.#publish({ time: time.toISOString(), type: 'extension', record: line });
      },
    });
    // The failure belongs to this init: a later init has a failure signal of its own.
    const fail = this.#fail;
    void process.exited.then((exit) => {
      if (this.#closing !== undefined) return;
      const errorType = exit.spawnError === undefined ? 'Extension.Crash' : 'Extension.LaunchError';
      fail({ kind: 'failure', errorType, message: describeExit(exit, `Extension ${name}`) });
    });
    return { name, process };
  }

  /** A function log line as a telemetry record: the text, or the object of a JSON-format line. */
  #functionRecord(line: string): unknown {
    if (this.spec.logging.logFormat !== 'JSON' || !line.startsWith('{')) return line;
    try {
      return JSON.parse(line);
    } catch {
      return line;
    }
  }

  /** Samples the memory of the runtime's process tree every period; `outOfMemory` settles when it goes over the limit. */
  #watchMemory(pid: number): { outOfMemory: Promise<'out-of-memory'>; stop: () => void } {
    const limitBytes = this.spec.memorySizeMb * MB;
    let sampling = false;
    let timer: NodeJS.Timeout | undefined;
    // The first sample waits a period: a short invocation is measured once, at its end.
    const outOfMemory = new Promise<'out-of-memory'>((resolve) => {
      timer = setInterval(() => {
        if (sampling) return;
        sampling = true;
        void this.#sampleMemory(pid).then((rss) => {
          sampling = false;
          if (rss > limitBytes) resolve('out-of-memory');
        });
      }, MEMORY_SAMPLE_INTERVAL_MS);
    });
    return { outOfMemory, stop: () => clearInterval(timer) };
  }

  /** Measures the runtime's process tree and keeps the peak; returns the current size. */
  async #sampleMemory(pid: number): Promise<number> {
    const rss = Math.max(await measureTreeRssBytes(pid), await readPeakRssBytes(this.#peakPid(pid)));
    if (rss > this.#peakMemoryBytes) this.#peakMemoryBytes = rss;
    return rss;
  }

  /** Keeps the runtime process's own high-water mark (VmHWM): one read of /proc. */
  async #samplePeakMemory(pid: number): Promise<void> {
    const peak = await readPeakRssBytes(this.#peakPid(pid));
    if (peak > this.#peakMemoryBytes) this.#peakMemoryBytes = peak;
  }

  /** The runtime's own pid, below a sandbox's processes; looked up once per runtime. */
  #peakPid(pid: number): number {
    if (this.#peakPidOf?.launched !== pid) this.#peakPidOf = { launched: pid, runtime: findSandboxedProcess(pid) };
    return this.#peakPidOf.runtime;
  }

  /**
   * Freezes the idle environment once the caller has had its report: the signals are not on
   * the invocation's path, and an invocation that follows at once finds it still running.
   */
  #scheduleFreeze(): void {
    this.#freezeTimer ??= setImmediate(() => {
      this.#freezeTimer = undefined;
      if (this.#state === 'idle') this.#setFrozen(true);
    });
  }

  #setFrozen(frozen: boolean): void {
    if (!frozen && this.#freezeTimer !== undefined) {
      clearImmediate(this.#freezeTimer);
      this.#freezeTimer = undefined;
    }
    if (this.#frozen === frozen) return;
    this.#frozen = frozen;
    for (const process of [this.#runtimeProcess, ...this.#extensions.map((extension) => extension.process)]) {
      process?.signal(frozen ? 'SIGSTOP' : 'SIGCONT');
    }
    this.#options.onEvent?.({ type: frozen ? 'frozen' : 'thawed' });
  }

  /**
   * Stops every process of the environment the way Lambda does: SIGTERM to the runtime
   * and SIGKILL after its share, SHUTDOWN to subscribed external extensions (the others are
   * killed), and SIGKILL for whatever is left at the end of the budget.
   */
  async #reset(reason: ShutdownReason): Promise<void> {
    this.#logger.debug({ reason }, 'environment reset');
    this.#setFrozen(false);
    const runtime = this.#runtimeProcess;
    const extensions = this.#extensions.filter((extension) => !extension.process.hasExited());
    this.#extensions = [];
    const registered = this.#registry.extensions;
    const budgetMs =
      extensions.length > 0 ? SHUTDOWN_BUDGET_EXTERNAL_MS : registered.length > 0 ? SHUTDOWN_BUDGET_INTERNAL_MS : 0;
    const deadlineMs = Date.now() + budgetMs;
    const stop = new AbortController();
    try {
      if (runtime !== undefined && !runtime.hasExited()) {
        if (budgetMs > 0) {
          runtime.signal('SIGTERM');
          await Promise.race([runtime.exited, sleep(Math.min(RUNTIME_SHUTDOWN_SHARE_MS, budgetMs), undefined, { signal: stop.signal })]);
        }
        runtime.signal('SIGKILL');
        await runtime.exited;
      }
      if (extensions.length > 0) {
        const subscribed = new Set(this.#registry.dispatch({ eventType: 'SHUTDOWN', deadlineMs, shutdownReason: reason }).map((extension) => extension.name));
        for (const extension of extensions) {
          if (!subscribed.has(extension.name)) extension.process.signal('SIGKILL');
        }
        // Telemetry buffers are flushed while SHUTDOWN is delivered (docs/conformance.md I.51).
        const flushed = this.#telemetry.flush({ signal: stop.signal, timeoutMs: Math.max(0, deadlineMs - Date.now()) });
        await Promise.race([
          Promise.all([flushed, ...extensions.map((extension) => extension.process.exited)]),
          sleep(Math.max(0, deadlineMs - Date.now()), undefined, { signal: stop.signal }),
        ]);
        for (const extension of extensions) extension.process.signal('SIGKILL');
        await Promise.all(extensions.map((extension) => extension.process.exited));
      }
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    } finally {
      stop.abort();
      this.#registry.reset([]);
    }
  }

  #platform(line: PlatformLine, options: { telemetry?: boolean } = {}): void {
    const time = new Date();
    if (this.spec.logging.logFormat === 'JSON') {
      // CloudWatch gets the events that have a text line; the rest only at system log level DEBUG.
      const logged = line.type !== 'platform.end' && (line.text !== undefined || this.spec.logging.systemLogLevel === 'DEBUG');
      if (logged) {
        this.#emit({ time, type: 'platform', text: JSON.stringify({ time: time.toISOString(), type: line.type, record: line.record }), ...this.#requestIdField() });
      }
    } else if (line.text !== undefined) {
      this.#emit({ time, type: 'platform', text: line.text, ...this.#requestIdField() });
    }
    if (options.telemetry !== false) this.#publish({ time: time.toISOString(), type: line.type, record: line.record });
  }

  #requestIdField(): { requestId?: string } {
    return this.#currentRequestId === undefined ? {} : { requestId: this.#currentRequestId };
  }

  #publish(event: TelemetryEvent): void {
    this.#collector?.telemetry.push(event);
    this.#telemetry.publish(event);
    this.#options.onTelemetry?.(event);
  }

  #emit(record: LogRecord): void {
    this.#collector?.logs.push(record);
    this.#options.onLog?.(record);
  }

  /** Shuts the environment down as Lambda does when it reclaims it (`spindown`). Idempotent. */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'shutdown';
      const results = await Promise.allSettled([this.#reset('spindown')]);
      results.push(...(await Promise.allSettled([this.#server.close(), Promise.resolve(this.#launcher?.dispose())])));
      this.#logger.debug({}, 'environment shut down');
      this.#options.onEvent?.({ type: 'shutdown' });
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

/** Types of the parts, re-exported for callers of the environment. */
export type { CallerResponse, InitOutcome, ExitInfo, TelemetryEvent };
