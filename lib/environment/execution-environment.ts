import { randomUUID } from 'node:crypto';
import type { FunctionSpec } from '../assembly/index.js';
import { describeRuntime } from '../runtimes/index.js';
import {
  ConcurrentRuntimeChannel,
  ExtensionRegistry,
  RuntimeChannel,
  TelemetryHub,
  registerExtensionRoutes,
  registerTelemetryRoutes,
  startRuntimeApiServer,
  type InitOutcome,
  type RuntimeApiServer,
  type TelemetryEvent,
} from '../runtime-api/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { answerOnce, functionError, type CallerResponse } from './caller-response.js';
import { ConcurrentInvocations } from './concurrent-invoke.js';
import { Conditions } from './conditions.js';
import { prepareDebugging } from './debugger.js';
import { SILENT_LOGGER } from './diagnostics.js';
import { runInvocation } from './environment-invoke.js';
import { EnvironmentOutput } from './environment-output.js';
import type { EnvironmentParts } from './environment-parts.js';
import { EnvironmentProcesses, type EnvironmentFailure } from './environment-processes.js';
import { EnvironmentLifecycle, type LifecycleState } from './environment-state.js';
import type { EnvironmentState, ExecutionEnvironmentOptions, InvocationHandle, InvokeRequest } from './environment-types.js';
import { Latch } from './latch.js';
import type { ExitInfo } from './managed-process.js';
import { MemoryWatch } from './memory-watch.js';
import { makeLogStreamName } from './reserved-variables.js';
import { startOrphanReaper } from './orphan-reaper.js';
import { ENVIRONMENT_MARKER_VARIABLE, newEnvironmentMarker } from './process-marker.js';
import { chooseSandbox, RUNTIME_API_PORT, startNetworkNamespace, type NetworkNamespace } from './sandbox/index.js';

export {
  DEFAULT_INIT_TIMEOUT_MS,
  type EnvironmentEvent,
  type EnvironmentState,
  type ExecutionEnvironmentOptions,
  type InvocationHandle,
  type InvocationReport,
  type InvokeRequest,
} from './environment-types.js';

/**
 * One execution environment: its Runtime and Extensions API on loopback, its extension
 * processes and its runtime process, with Lambda's lifecycle (init, invoke, freeze,
 * timeouts, crashes, reset, shutdown) and its log lines. The phases live beside it:
 * the init phase in environment-init.ts, an invocation in environment-invoke.ts, the
 * processes in environment-processes.ts, and the one lifecycle state in environment-state.ts.
 */
export class ExecutionEnvironment implements AsyncDisposable {
  readonly spec: FunctionSpec;
  readonly #parts: EnvironmentParts;
  readonly #server: RuntimeApiServer;
  readonly #network: NetworkNamespace | undefined;
  #freezeTimer: NodeJS.Immediate | undefined;
  #closing: Promise<void> | undefined;
  /** Lambda Managed Instances: several invocations at once, never frozen. */
  readonly #concurrent: ConcurrentInvocations | undefined;

  private constructor(parts: EnvironmentParts, server: RuntimeApiServer, network: NetworkNamespace | undefined) {
    this.spec = parts.spec;
    this.#parts = parts;
    this.#server = server;
    const managed = parts.spec.managedInstances;
    if (managed !== undefined && parts.channel instanceof ConcurrentRuntimeChannel) {
      this.#concurrent = new ConcurrentInvocations(parts, parts.channel, managed.perExecutionEnvironmentMaxConcurrency);
    }
    this.#network = network;
    parts.logger.debug({ runtime: parts.spec.runtime }, 'environment started');
  }

  /** Starts the environment's APIs; its processes start with the first invoke. */
  static async start(options: ExecutionEnvironmentOptions): Promise<ExecutionEnvironment> {
    const { spec } = options;
    const runtime = spec.runtime === undefined ? undefined : describeRuntime(spec.runtime);
    if (runtime === undefined) {
      throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${spec.constructPath} has runtime '${spec.runtime ?? 'none'}', which cdk-local cannot run.`);
    }
    // A sandbox that is required but cannot be had fails here, not at the first invoke.
    const sandbox = await chooseSandbox(options.sandbox);
    void startOrphanReaper();
    if (options.debug !== undefined) await prepareDebugging(options, runtime);
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
    // Lambda Managed Instances: the runtime's workers take several invocations at once (docs/conformance.md Y).
    const channel = spec.managedInstances === undefined ? new RuntimeChannel() : new ConcurrentRuntimeChannel();
    let network: NetworkNamespace | undefined;
    // A debugger attaches from this machine to the runtime's loopback: a debugged environment keeps this machine's network.
    if (sandbox.kind === 'sandbox' && sandbox.network.available && options.debug === undefined) {
      try {
        // Its helpers carry a marker of their own: a reset of the environment does not end them, but the orphan reaper does.
        network = await startNetworkNamespace({ tools: sandbox.network.tools, variables: { [ENVIRONMENT_MARKER_VARIABLE]: newEnvironmentMarker() } });
      } catch (cause) {
        throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not make the network namespace of ${spec.constructPath} (${(cause as Error).message}); run with --no-sandbox to run it without one.`, { cause });
      }
    }
    if (sandbox.kind === 'sandbox' && !sandbox.network.available) {
      // The same words for every function, so that it is said once.
      options.onNotice?.(
        `sandboxes share this machine's network (${sandbox.network.reason}): other environments' APIs are reachable from them, and a function with external extensions runs one invocation at a time; ${sandbox.network.remedy} for a network of their own.`,
      );
    }
    const telemetry = new TelemetryHub(network === undefined ? {} : { connect: network.connect });
    let server: RuntimeApiServer;
    try {
      server = await startRuntimeApiServer({
        channel,
        ...(network === undefined ? {} : { listener: { server: network.runtimeApiListener, address: `127.0.0.1:${RUNTIME_API_PORT}` } }),
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
      await network?.close();
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not start the Runtime API for ${spec.constructPath} on 127.0.0.1.`, { cause });
    }
    const logger = (options.logger ?? SILENT_LOGGER).child({ environment: network === undefined ? server.address : `netns:${network.pid}` });
    const lifecycle = new EnvironmentLifecycle();
    const output = new EnvironmentOutput({
      spec,
      telemetry,
      ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
      ...(options.onTelemetry === undefined ? {} : { onTelemetry: options.onTelemetry }),
    });
    const processes = new EnvironmentProcesses({
      options,
      runtime,
      runtimeApi: server.address,
      ...(network === undefined ? {} : { network: { enter: network.enter } }),
      logStreamName: makeLogStreamName(spec.version),
      registry,
      telemetry,
      output,
      logger,
      shuttingDown: () => lifecycle.state === 'shutdown',
    });
    const parts: EnvironmentParts = {
      spec,
      options,
      runtime,
      lifecycle,
      channel,
      registry,
      conditions,
      telemetry,
      output,
      processes,
      memory: new MemoryWatch(),
      logger,
      failures: new Latch(),
    };
    // A failure goes to the latch of the init under way.
    target.fail = (failure) => parts.failures.fire(failure);
    return new ExecutionEnvironment(parts, server, network);
  }

  /** The current lifecycle state. */
  get state(): EnvironmentState {
    return this.#parts.lifecycle.publicState;
  }

  /** `host:port` of this environment's Runtime API, as its runtime sees it (`127.0.0.1:9001` in a network namespace of its own). */
  get runtimeApiAddress(): string {
    return this.#server.address;
  }

  /** Whether the environment has a network namespace of its own. */
  get ownNetwork(): boolean {
    return this.#network !== undefined;
  }

  /** Pids of the processes that keep its network namespace (empty without one). */
  get networkPids(): readonly number[] {
    return this.#network?.helperPids ?? [];
  }

  /** Whether the environment's processes are stopped between invocations right now. */
  get frozen(): boolean {
    return this.#parts.lifecycle.state === 'frozen';
  }

  /** Pids of the environment's live processes (runtime first, then extensions). */
  get pids(): number[] {
    return this.#parts.processes.pids;
  }

  /** Invocations under way: 0 or 1, or up to `PerExecutionEnvironmentMaxConcurrency` on Lambda Managed Instances. */
  get inFlight(): number {
    return this.#concurrent?.inFlight ?? (this.#parts.lifecycle.publicState === 'invoking' ? 1 : 0);
  }

  /**
   * Runs one invocation: one at a time per environment, or up to the function's
   * `PerExecutionEnvironmentMaxConcurrency` at once on Lambda Managed Instances.
   */
  invoke(request: InvokeRequest): InvocationHandle {
    if (this.#concurrent !== undefined) return this.#concurrent.invoke(request);
    const { lifecycle, processes } = this.#parts;
    if (lifecycle.state === 'shutdown') throw new CdkLocalError(ErrorCodes.CLOSED, `The environment of ${this.spec.constructPath} was shut down.`);
    if (lifecycle.publicState === 'invoking') throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `The environment of ${this.spec.constructPath} is busy with another invocation.`);
    this.#cancelFreeze();
    // Without a runtime (a new environment, or one reset after a failure) the invocation starts with an init.
    this.#moveTo(processes.runtime === undefined ? 'initializing' : 'invoking');
    const requestId = request.requestId ?? randomUUID();
    const { response, answer } = answerOnce();
    const report = runInvocation(this.#parts, requestId, request, answer).finally(() => this.#endInvocation());
    // A report that fails (an internal error) must still settle the caller's answer.
    report.catch(() => answer(functionError('Sandbox.Failure', 'The execution environment failed')));
    return { requestId, response, report };
  }

  /** After an invocation: warm (and frozen soon) with a runtime, uninitialized without; unless it was shut down meanwhile. */
  #endInvocation(): void {
    const { lifecycle, processes, options } = this.#parts;
    if (lifecycle.state === 'shutdown') return;
    this.#moveTo(processes.runtime === undefined ? 'uninitialized' : 'idle');
    // A debugger talks to the runtime between invocations too: a debugged environment is never frozen.
    if (lifecycle.state === 'idle' && options.freeze !== false && options.debug === undefined) this.#scheduleFreeze();
  }

  /**
   * Freezes the idle environment once the caller has had its report: the signals are not on
   * the invocation's path, and an invocation that follows at once finds it still running.
   */
  #scheduleFreeze(): void {
    this.#freezeTimer ??= setImmediate(() => {
      this.#freezeTimer = undefined;
      if (this.#parts.lifecycle.state === 'idle') this.#moveTo('frozen');
    });
  }

  #cancelFreeze(): void {
    if (this.#freezeTimer === undefined) return;
    clearImmediate(this.#freezeTimer);
    this.#freezeTimer = undefined;
  }

  /** Moves the lifecycle; entering `frozen` stops the processes, leaving it resumes them. */
  #moveTo(next: LifecycleState): void {
    const { lifecycle, processes, options } = this.#parts;
    const previous = lifecycle.moveTo(next);
    if (next === 'frozen') {
      processes.signalAll('SIGSTOP');
      options.onEvent?.({ type: 'frozen' });
    } else if (previous === 'frozen') {
      processes.signalAll('SIGCONT');
      options.onEvent?.({ type: 'thawed' });
    }
  }

  /** Shuts the environment down as Lambda does when it reclaims it (`spindown`). Idempotent. */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      const { processes, logger, options } = this.#parts;
      this.#cancelFreeze();
      this.#moveTo('shutdown');
      const results = await Promise.allSettled([processes.reset('spindown')]);
      results.push(...(await Promise.allSettled([this.#server.close(), processes.disposeLauncher()])));
      if (this.#network !== undefined) results.push(...(await Promise.allSettled([this.#network.close()])));
      logger.debug({}, 'environment shut down');
      options.onEvent?.({ type: 'shutdown' });
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
