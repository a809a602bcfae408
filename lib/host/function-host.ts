import type { FunctionSpec, ManagedInstancesSpec } from '../assembly/index.js';
import { prepareFunctionCode } from '../assembly/index.js';
import {
  ExecutionEnvironment,
  hasOwnNetwork,
  isolateTaskRoot,
  listExternalExtensions,
  type AwsCredentials,
  type DebugSettings,
  type DiagnosticLogger,
  type EnvironmentEvent,
  type ExecutionEnvironmentOptions,
  type TelemetryEvent,
  type InvocationHandle,
  type InvokeRequest,
  type LogSink,
  type RuntimeProvision,
  type SandboxSetting,
} from '../environment/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { resolveExternalLayers, type ExternalLayerOptions } from './external-layers.js';

/**
 * How long a new invocation waits for an environment that has answered but whose runtime has
 * not asked for the next event yet, before it starts another environment (or is throttled).
 * Without it, one caller invoking back to back would grow the pool on a busy machine.
 */
const FINISHING_WAIT_MS = 50;

/** Lambda's limit on a synchronous invocation's payload. */
export const MAX_SYNC_PAYLOAD_BYTES = 6_291_456;

/** Options of {@link FunctionHost}. */
export interface FunctionHostOptions {
  readonly spec: FunctionSpec;
  /** Where unpacked code and merged layers are kept. */
  readonly cacheDirectory: string;
  /** The function's own variables after `--env-vars` overrides. */
  readonly functionVariables: Readonly<Record<string, string>>;
  readonly credentials?: AwsCredentials;
  readonly onLog?: LogSink;
  readonly onTelemetry?: (event: TelemetryEvent) => void;
  readonly onEvent?: (event: EnvironmentEvent) => void;
  /** cdk-local's own diagnostics. @default silent */
  readonly logger?: DiagnosticLogger;
  readonly onNotice?: (message: string) => void;
  /**
   * Stop the environments' processes between invocations, as Lambda freezes them.
   * @default true
   */
  readonly freeze?: boolean;
  /**
   * Run the environments in a bubblewrap sandbox that looks like Lambda's: `'auto'` where
   * bubblewrap works, `true` always, `false` never.
   * @default 'auto'
   */
  readonly sandbox?: SandboxSetting;
  /** Variables whose values point at this machine (see ExecutionEnvironmentOptions.hostVariables). */
  readonly hostVariables?: readonly string[];
  /** Variables cdk-local set to its own services (see ExecutionEnvironmentOptions.quietHostVariables). */
  readonly quietHostVariables?: readonly string[];
  /** Where the AWS SDK, boto3 and Node.js builds that Lambda's runtimes provide are found or cached. */
  readonly provision?: RuntimeProvision;
  /**
   * Most environments at once when the function has no reserved concurrency.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * How long an environment may stay idle before it is shut down; 0 keeps it.
   * @default 0
   */
  readonly idleTimeoutMs?: number;
  /** How layers from outside the app (an ARN) are had: mapped to local paths, or downloaded. Without it they are left out. */
  readonly externalLayers?: ExternalLayerOptions;
  /** Let a debugger attach on this port: one environment at a time, so the port is never contended. */
  readonly debug?: DebugSettings;
}

interface PreparedCode {
  readonly codeDirectory: string;
  readonly layersDirectory?: string;
}

/**
 * The environments of one function: a warm idle one is reused, a new one is started
 * up to the function's concurrency, past it the invocation is throttled.
 */
export class FunctionHost implements AsyncDisposable {
  readonly spec: FunctionSpec;
  readonly #options: FunctionHostOptions;
  readonly #all = new Set<ExecutionEnvironment>();
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #idleTimers = new Map<ExecutionEnvironment, NodeJS.Timeout>();
  #prepared: Promise<PreparedCode> | undefined;
  /** External extensions bind fixed ports, and environments share the host's network. */
  #singleEnvironment = false;
  #startingSingle = false;
  #starting = 0;
  #closing: Promise<void> | undefined;
  /** Set by {@link drain}: the invocations under way finish, no new one starts. */
  #draining = false;
  /** Environments that have answered and are finishing their invocation. */
  readonly #finishing = new Set<ExecutionEnvironment>();
  readonly #releaseWaiters = new Set<() => void>();
  /** Lambda Managed Instances: invocations under way in each environment. */
  readonly #load = new Map<ExecutionEnvironment, number>();
  /** Lambda Managed Instances: the environment being started, and how many invocations wait to share it. */
  #startingShared: { slots: number; readonly environment: Promise<ExecutionEnvironment> } | undefined;
  /** Most environments that ever ran at once. */
  peakEnvironments = 0;

  constructor(options: FunctionHostOptions) {
    this.spec = options.spec;
    this.#options = options;
  }

  /** The concurrency limit: reserved concurrency, else the host default. */
  get concurrencyLimit(): number {
    if (this.#singleEnvironment || this.#options.debug !== undefined) return 1;
    return this.spec.reservedConcurrency ?? this.#options.maxConcurrency ?? 10;
  }

  /** Environments alive now. */
  get environmentCount(): number {
    return this.#all.size;
  }

  /** Starts an invocation in a free environment; throws TOO_MANY_REQUESTS when none can be had. */
  async invoke(request: InvokeRequest): Promise<InvocationHandle> {
    if (this.#closing !== undefined || this.#draining) throw new CdkLocalError(ErrorCodes.CLOSED, `${this.spec.constructPath} is shutting down.`);
    if (request.payload.length > MAX_SYNC_PAYLOAD_BYTES) {
      throw new CdkLocalError(
        ErrorCodes.REQUEST_TOO_LARGE,
        `The event is ${request.payload.length} bytes; Lambda accepts at most ${MAX_SYNC_PAYLOAD_BYTES} bytes for a synchronous invocation.`,
      );
    }
    const managed = this.spec.managedInstances;
    const environment = managed === undefined ? await this.#acquire() : await this.#acquireShared(managed);
    const release = (): void => (managed === undefined ? this.#release(environment) : this.#releaseShared(environment));
    let handle: InvocationHandle;
    try {
      handle = environment.invoke(request);
    } catch (error) {
      release();
      throw error;
    }
    if (managed === undefined) {
      void handle.response.then(() => {
        if (this.#all.has(environment) && !this.#idle.includes(environment)) this.#finishing.add(environment);
      });
    }
    void handle.report.then(release, release);
    return handle;
  }

  #takeIdle(): ExecutionEnvironment | undefined {
    const idle = this.#idle.pop();
    if (idle !== undefined) {
      clearTimeout(this.#idleTimers.get(idle));
      this.#idleTimers.delete(idle);
    }
    return idle;
  }

  /** Waits until some environment is released, at most `timeoutMs`. */
  #nextRelease(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#releaseWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#releaseWaiters.add(done);
    });
  }

  async #acquire(): Promise<ExecutionEnvironment> {
    const idle = this.#takeIdle() ?? (this.#finishing.size > 0 ? await this.#nextRelease(FINISHING_WAIT_MS).then(() => this.#takeIdle()) : undefined);
    if (idle !== undefined) return idle;
    if (this.#all.size + this.#starting >= this.concurrencyLimit) {
      throw new CdkLocalError(
        ErrorCodes.TOO_MANY_REQUESTS,
        `Rate Exceeded: ${this.spec.constructPath} is already running ${this.concurrencyLimit} invocation(s), its concurrency limit.`,
      );
    }
    this.#starting += 1;
    let claimedSingle = false;
    try {
      const prepared = await this.#prepare();
      if (this.#singleEnvironment && (this.#all.size > 0 || this.#startingSingle)) {
        throw new CdkLocalError(
          ErrorCodes.TOO_MANY_REQUESTS,
          `Rate Exceeded: ${this.spec.constructPath} has external extensions, which bind fixed ports, so it runs one invocation at a time here.`,
        );
      }
      if (this.#singleEnvironment) {
        this.#startingSingle = true;
        claimedSingle = true;
      }
      const environment = await ExecutionEnvironment.start(this.#environmentOptions(prepared));
      this.#all.add(environment);
      this.peakEnvironments = Math.max(this.peakEnvironments, this.#all.size);
      return environment;
    } finally {
      this.#starting -= 1;
      if (claimedSingle) this.#startingSingle = false;
    }
  }

  /** What every environment of this function starts with. */
  #environmentOptions(prepared: PreparedCode): ExecutionEnvironmentOptions {
    return {
      spec: this.spec,
      codeDirectory: prepared.codeDirectory,
      layersDirectory: prepared.layersDirectory,
      functionVariables: this.#options.functionVariables,
      credentials: this.#options.credentials,
      ...(this.#options.onLog === undefined ? {} : { onLog: this.#options.onLog }),
      ...(this.#options.onTelemetry === undefined ? {} : { onTelemetry: this.#options.onTelemetry }),
      ...(this.#options.onEvent === undefined ? {} : { onEvent: this.#options.onEvent }),
      ...(this.#options.onNotice === undefined ? {} : { onNotice: this.#options.onNotice }),
      ...(this.#options.freeze === undefined ? {} : { freeze: this.#options.freeze }),
      ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
      ...(this.#options.sandbox === undefined ? {} : { sandbox: this.#options.sandbox }),
      ...(this.#options.hostVariables === undefined ? {} : { hostVariables: this.#options.hostVariables }),
      ...(this.#options.quietHostVariables === undefined ? {} : { quietHostVariables: this.#options.quietHostVariables }),
      ...(this.#options.provision === undefined ? {} : { provision: this.#options.provision }),
      ...(this.#options.debug === undefined ? {} : { debug: this.#options.debug }),
    };
  }

  /** Most environments at once for a Managed Instances function. */
  #managedEnvironmentLimit(managed: ManagedInstancesSpec): number {
    if (this.#singleEnvironment || this.#options.debug !== undefined) return 1;
    return managed.maxExecutionEnvironments ?? this.#options.maxConcurrency ?? 10;
  }

  /**
   * Lambda Managed Instances (docs/conformance.md Y): the busiest environment with room takes
   * the invocation, so that one runs `PerExecutionEnvironmentMaxConcurrency` invocations
   * before another starts; invocations that arrive while one starts share it. Reserved
   * concurrency, when set, caps the function's invocations at once.
   */
  async #acquireShared(managed: ManagedInstancesSpec): Promise<ExecutionEnvironment> {
    const perEnvironment = managed.perExecutionEnvironmentMaxConcurrency;
    let running = this.#startingShared?.slots ?? 0;
    for (const load of this.#load.values()) running += load;
    if (this.spec.reservedConcurrency !== undefined && running >= this.spec.reservedConcurrency) {
      throw new CdkLocalError(
        ErrorCodes.TOO_MANY_REQUESTS,
        `Rate Exceeded: ${this.spec.constructPath} is already running ${this.spec.reservedConcurrency} invocation(s), its reserved concurrency.`,
      );
    }
    let chosen: ExecutionEnvironment | undefined;
    let chosenLoad = -1;
    for (const environment of this.#all) {
      const load = this.#load.get(environment) ?? 0;
      if (environment.state !== 'shutdown' && load < perEnvironment && load > chosenLoad) {
        chosen = environment;
        chosenLoad = load;
      }
    }
    if (chosen !== undefined) {
      this.#load.set(chosen, chosenLoad + 1);
      const index = this.#idle.indexOf(chosen);
      if (index !== -1) this.#idle.splice(index, 1);
      clearTimeout(this.#idleTimers.get(chosen));
      this.#idleTimers.delete(chosen);
      return chosen;
    }
    const starting = this.#startingShared;
    if (starting !== undefined && starting.slots < perEnvironment) {
      starting.slots += 1;
      return starting.environment;
    }
    const limit = this.#managedEnvironmentLimit(managed);
    if (this.#all.size + this.#starting >= limit) {
      throw new CdkLocalError(
        ErrorCodes.TOO_MANY_REQUESTS,
        `Rate Exceeded: ${this.spec.constructPath} is already running ${limit} execution environment(s) of ${perEnvironment} invocation(s) each.`,
      );
    }
    this.#starting += 1;
    // The environment's promise refers back to its slots: made in two steps.
    const shared = { slots: 1 } as { slots: number; environment: Promise<ExecutionEnvironment> };
    shared.environment = (async () => {
        try {
          const prepared = await this.#prepare();
          const environment = await ExecutionEnvironment.start(this.#environmentOptions(prepared));
          this.#all.add(environment);
          this.#load.set(environment, shared.slots);
          this.peakEnvironments = Math.max(this.peakEnvironments, this.#all.size);
          return environment;
        } finally {
          this.#starting -= 1;
          if (this.#startingShared === shared) this.#startingShared = undefined;
        }
      })();
    this.#startingShared = shared;
    return shared.environment;
  }

  /** One invocation of a Managed Instances environment ended; with none left it is idle. */
  #releaseShared(environment: ExecutionEnvironment): void {
    const load = (this.#load.get(environment) ?? 1) - 1;
    if (load > 0 && this.#closing === undefined && environment.state !== 'shutdown') {
      this.#load.set(environment, load);
      for (const wake of [...this.#releaseWaiters]) wake();
      return;
    }
    this.#load.delete(environment);
    this.#release(environment);
  }

  #release(environment: ExecutionEnvironment): void {
    this.#finishing.delete(environment);
    for (const wake of [...this.#releaseWaiters]) wake();
    if (this.#closing !== undefined || environment.state === 'shutdown') {
      this.#all.delete(environment);
      return;
    }
    this.#idle.push(environment);
    const idleTimeoutMs = this.#options.idleTimeoutMs ?? 0;
    if (idleTimeoutMs > 0) {
      const timer = setTimeout(() => {
        const index = this.#idle.indexOf(environment);
        if (index === -1) return;
        this.#idle.splice(index, 1);
        this.#idleTimers.delete(environment);
        this.#all.delete(environment);
        void environment.shutdown();
      }, idleTimeoutMs);
      timer.unref();
      this.#idleTimers.set(environment, timer);
    }
  }

  #prepare(): Promise<PreparedCode> {
    this.#prepared ??= (async () => {
      // Layers the app names only by ARN get their code first (a --layer mapping, the cache, a download).
      const specLayers =
        this.#options.externalLayers === undefined ? this.spec.layers : await resolveExternalLayers(this.spec.layers, this.#options.externalLayers);
      const { codeDirectory, layers } = await prepareFunctionCode({ ...this.spec, layers: specLayers }, this.#options.cacheDirectory);
      for (const warning of layers.warnings) this.#options.onNotice?.(warning);
      const managed = this.spec.managedInstances;
      if (managed !== undefined) {
        this.#options.onNotice?.(
          `${this.spec.constructPath} runs on Lambda Managed Instances: up to ${managed.perExecutionEnvironmentMaxConcurrency} invocation(s) at once in each execution environment, which is never frozen; its capacity provider, instance types and scaling are not reproduced here (an environment starts on demand, when the others are full).`,
        );
      }
      // In a network namespace of its own, an environment's extensions bind their ports where no other environment's are.
      if ((await listExternalExtensions(layers.directory)).length > 0 && !(await hasOwnNetwork(this.#options.sandbox))) {
        this.#singleEnvironment = true;
        if (this.spec.reservedConcurrency !== 1 && (this.#options.maxConcurrency ?? 10) > 1) {
          this.#options.onNotice?.(
            `${this.spec.constructPath} has external extensions, which bind fixed ports on the shared network: it runs one invocation at a time.`,
          );
        }
      }
      const taskRoot = this.spec.runtime?.startsWith('nodejs') === true ? await isolateTaskRoot(codeDirectory, this.#options.cacheDirectory) : codeDirectory;
      return { codeDirectory: taskRoot, ...(layers.directory === undefined ? {} : { layersDirectory: layers.directory }) };
    })();
    // A failed preparation may succeed next time (a zip being written, say).
    this.#prepared.catch(() => {
      this.#prepared = undefined;
    });
    return this.#prepared;
  }

  /**
   * Takes no more invocations and shuts every environment down once the invocations under
   * way have finished (a function replaced by a new version of the app).
   */
  async drain(): Promise<void> {
    this.#draining = true;
    // An environment still starting for an invocation accepted before the drain counts as busy.
    while (this.#closing === undefined && (this.#all.size > this.#idle.length || this.#starting > 0)) await this.#nextRelease(1000);
    await this.close();
  }

  /** Shuts every environment down; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const timer of this.#idleTimers.values()) clearTimeout(timer);
      this.#idleTimers.clear();
      const environments = [...this.#all];
      this.#all.clear();
      this.#load.clear();
      this.#idle.length = 0;
      const results = await Promise.allSettled(environments.map((environment) => environment.shutdown()));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })();
    return this.#closing;
  }

  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
