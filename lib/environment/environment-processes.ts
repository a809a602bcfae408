import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionSpec } from '../assembly/index.js';
import type { ExtensionRegistry, ShutdownReason, TelemetryHub } from '../runtime-api/index.js';
import type { RuntimeInfo } from '../runtimes/index.js';
import { debugVariables } from './debugger.js';
import type { DiagnosticLogger } from './diagnostics.js';
import type { EnvironmentOutput } from './environment-output.js';
import type { ExecutionEnvironmentOptions } from './environment-types.js';
import { extensionVariables } from './extensions.js';
import { Latch } from './latch.js';
import { describeExit, startManagedProcess, type ExitInfo, type ManagedProcess } from './managed-process.js';
import { buildRuntimeVariables, type AwsCredentials } from './reserved-variables.js';
import { resolveRuntimeCommand, type RuntimeCommand } from './runtime-command.js';
import { HOST_NAME, prepareLauncher, type Launcher } from './sandbox/index.js';

// `localhost` or `127.0.0.1` as a host in a URL or an address, not as part of a longer name.
const LOOPBACK_HOST = /(?<![\w.-])(?:localhost|127\.0\.0\.1)(?![\w-]|\.\w)/g;

/** Shutdown budgets of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown */
const SHUTDOWN_BUDGET_EXTERNAL_MS = 2000;
const SHUTDOWN_BUDGET_INTERNAL_MS = 500;
const RUNTIME_SHUTDOWN_SHARE_MS = 300;

/** Something other than the runtime broke the environment (an extension). */
export interface EnvironmentFailure {
  readonly kind: 'failure';
  readonly errorType: string;
  readonly message: string;
}

interface ExtensionProcess {
  readonly name: string;
  readonly process: ManagedProcess;
}

/** The runtime process of an environment, and the latch of its exit. */
export interface RuntimeProcess {
  readonly process: ManagedProcess;
  /** Happens when it exits: wait on it with a signal, never with a reaction on `process.exited`. */
  readonly exit: Latch<ExitInfo>;
}

/** Options of {@link EnvironmentProcesses}. */
export interface EnvironmentProcessesOptions {
  readonly options: ExecutionEnvironmentOptions;
  readonly runtime: RuntimeInfo;
  /** `host:port` of the environment's Runtime API. */
  readonly runtimeApi: string;
  /** The environment's network namespace, when it has one: the command that enters it. */
  readonly network?: { readonly enter: readonly string[] };
  readonly logStreamName: string;
  readonly registry: ExtensionRegistry;
  readonly telemetry: TelemetryHub;
  readonly output: EnvironmentOutput;
  readonly logger: DiagnosticLogger;
  /** Whether the environment is shutting down: an extension that exits then broke nothing. */
  readonly shuttingDown: () => boolean;
}

/**
 * The processes of one environment: how they are started (the runtime's command, the
 * sandbox's launcher, their variables), signalled (frozen and thawed), and stopped the way
 * Lambda resets an environment.
 */
export class EnvironmentProcesses {
  readonly #parts: EnvironmentProcessesOptions;
  readonly #spec: FunctionSpec;
  #runtime: RuntimeProcess | undefined;
  #extensions: ExtensionProcess[] = [];
  #command: RuntimeCommand | undefined;
  #launcher: Launcher | undefined;
  #functionVariables: Readonly<Record<string, string>> | undefined;

  constructor(parts: EnvironmentProcessesOptions) {
    this.#parts = parts;
    this.#spec = parts.options.spec;
  }

  /** The runtime process while it runs. */
  get runtime(): RuntimeProcess | undefined {
    return this.#runtime;
  }

  /** Pids of the live processes (runtime first, then extensions). */
  get pids(): number[] {
    const all = [this.#runtime?.process, ...this.#extensions.map((extension) => extension.process)];
    return all.filter((process): process is ManagedProcess => process !== undefined && !process.hasExited()).map((process) => process.pid);
  }

  /** The runtime's command and the sandbox's launcher, found once; undefined when there is no bootstrap. */
  async resolveCommand(): Promise<RuntimeCommand | undefined> {
    if (this.#command === undefined) {
      const { spec, codeDirectory, layersDirectory, sandbox, onNotice, provision } = this.#parts.options;
      const command = await resolveRuntimeCommand(this.#parts.runtime, spec.constructPath, codeDirectory, layersDirectory, {
        ...provision,
        ...(onNotice === undefined ? {} : { onNotice }),
        logger: this.#parts.logger,
      }, spec.handler);
      if (command?.notice !== undefined) onNotice?.(command.notice);
      if (command !== undefined) {
        const { network } = this.#parts;
        this.#launcher = await prepareLauncher({
          spec,
          runtime: this.#parts.runtime,
          command,
          codeDirectory,
          ...(layersDirectory === undefined ? {} : { layersDirectory }),
          ...(sandbox === undefined ? {} : { sandbox }),
          ...(network === undefined ? {} : { network }),
        });
        if (this.#launcher.notice !== undefined) onNotice?.(this.#launcher.notice);
      }
      this.#command = command;
    }
    return this.#command;
  }

  /** Starts the extensions found in the layers; an exit of one breaks the environment through `failures`. */
  spawnExtensions(files: readonly { readonly name: string; readonly path: string }[], failures: Latch<EnvironmentFailure>): void {
    this.#extensions = files.map((file) => this.#spawnExtension(file.name, file.path, failures));
  }

  spawnRuntime(command: RuntimeCommand): RuntimeProcess {
    const launcher = this.#launcher!;
    const launch = launcher.launch({ ...this.#runtimeCommandLine(command), cwd: this.#parts.options.codeDirectory });
    const process = startManagedProcess({
      ...launch,
      env: { ...this.#runtimeVariables(), ...debugVariables(this.#parts.runtime, this.#parts.options.debug) },
      onLine: (line) => this.#parts.output.functionLine(line),
    });
    const runtime: RuntimeProcess = { process, exit: new Latch<ExitInfo>() };
    this.#runtime = runtime;
    this.#parts.logger.debug({ pid: process.pid, file: launch.file, args: launch.args, mode: launcher.mode }, 'runtime started');
    // The one reaction on the runtime's exit; whoever waits for it listens to the latch.
    void process.exited.then((info) => {
      this.#parts.logger.debug({ pid: process.pid, ...info }, 'runtime exited');
      if (this.#runtime === runtime) this.#runtime = undefined;
      runtime.exit.fire(info);
    });
    return runtime;
  }

  /**
   * Stops (SIGSTOP) or resumes (SIGCONT) every process of the environment: the runtime, the
   * extensions, and whatever they started, however it detached.
   */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void {
    const roots = [this.#runtime?.process, ...this.#extensions.map((extension) => extension.process)];
    if (this.#launcher !== undefined) {
      this.#launcher.processes.setFrozen(signal === 'SIGSTOP', roots);
      return;
    }
    for (const process of roots) process?.signal(signal);
  }

  /**
   * Stops every process of the environment the way Lambda does: SIGTERM to the runtime
   * and SIGKILL after its share, SHUTDOWN to subscribed external extensions (the others are
   * killed), and SIGKILL for whatever is left at the end of the budget.
   */
  async reset(reason: ShutdownReason): Promise<void> {
    const { registry, telemetry, logger } = this.#parts;
    logger.debug({ reason }, 'environment reset');
    const runtime = this.#runtime?.process;
    const extensions = this.#extensions.filter((extension) => !extension.process.hasExited());
    this.#extensions = [];
    const registered = registry.extensions;
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
        const subscribed = new Set(registry.dispatch({ eventType: 'SHUTDOWN', deadlineMs, shutdownReason: reason }).map((extension) => extension.name));
        for (const extension of extensions) {
          if (!subscribed.has(extension.name)) extension.process.signal('SIGKILL');
        }
        // Telemetry buffers are flushed while SHUTDOWN is delivered (I.51).
        const flushed = telemetry.flush({ signal: stop.signal, timeoutMs: Math.max(0, deadlineMs - Date.now()) });
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
      registry.reset([]);
      // Whatever the processes started and left behind, however it detached.
      this.#launcher?.processes.killAll();
    }
  }

  /** Undoes the sandbox's preparation. */
  async disposeLauncher(): Promise<void> {
    await this.#launcher?.dispose();
  }

  #spawnExtension(name: string, path: string, failures: Latch<EnvironmentFailure>): ExtensionProcess {
    const { options } = this.#parts;
    const process = startManagedProcess({
      ...this.#launcher!.launch({ file: path, args: [], cwd: options.layersDirectory ?? options.codeDirectory }),
      env: extensionVariables(this.#runtimeVariables()),
      onLine: (line) => this.#parts.output.extensionLine(name, line),
    });
    // The failure belongs to the init that started it: a later init has a failure latch of its own.
    void process.exited.then((exit) => {
      if (this.#parts.shuttingDown()) return;
      const errorType = exit.spawnError === undefined ? 'Extension.Crash' : 'Extension.LaunchError';
      failures.fire({ kind: 'failure', errorType, message: describeExit(exit, `Extension ${name}`) });
    });
    return { name, process };
  }

  #runtimeVariables(): Record<string, string> {
    const { options, runtime, runtimeApi, logStreamName } = this.#parts;
    const credentials: AwsCredentials | undefined = options.credentials;
    this.#functionVariables ??= this.#launcher!.ownNetwork ? this.#mapHostVariables() : options.functionVariables;
    return buildRuntimeVariables({
      spec: this.#spec,
      runtime,
      runtimeApi,
      paths: this.#launcher!.paths,
      functionVariables: this.#functionVariables,
      ...(credentials === undefined ? {} : { credentials }),
      logStreamName,
    });
  }

  /**
   * The function's variables, with `localhost` and `127.0.0.1` in those the user set for this
   * machine's services (`--env-vars`) and in `AWS_ENDPOINT_URL*` replaced by the name the
   * namespace reaches it by; says so once.
   */
  #mapHostVariables(): Readonly<Record<string, string>> {
    const { functionVariables, hostVariables, quietHostVariables, onNotice } = this.#parts.options;
    const mapped: Record<string, string> = { ...functionVariables };
    const changed: string[] = [];
    // An AWS endpoint on localhost means nothing in Lambda: it names a service on this machine wherever it was set.
    const endpoints = Object.keys(functionVariables).filter((name) => name === 'AWS_ENDPOINT_URL' || name.startsWith('AWS_ENDPOINT_URL_'));
    for (const name of new Set([...(hostVariables ?? []), ...endpoints])) {
      const value = mapped[name];
      if (value === undefined) continue;
      const replaced = value.replace(LOOPBACK_HOST, HOST_NAME);
      if (replaced === value) continue;
      mapped[name] = replaced;
      if (!(quietHostVariables ?? []).includes(name)) changed.push(name);
    }
    if (changed.length > 0) {
      onNotice?.(`${this.#spec.constructPath}: ${changed.join(', ')} ${changed.length === 1 ? 'points' : 'point'} at this machine, which the sandbox reaches as ${HOST_NAME}: localhost and 127.0.0.1 in ${changed.length === 1 ? 'it are' : 'them are'} replaced by that name.`);
    }
    return mapped;
  }

  /**
   * The runtime's command line, behind the function's `AWS_LAMBDA_EXEC_WRAPPER` script when it
   * has one: Lambda starts the wrapper with the runtime's command line as its arguments
   * (managed runtimes only). https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html#runtime-wrapper
   */
  #runtimeCommandLine(command: RuntimeCommand): { file: string; args: readonly string[] } {
    const wrapper = this.#parts.options.functionVariables['AWS_LAMBDA_EXEC_WRAPPER'];
    if (wrapper === undefined || wrapper === '' || this.#parts.runtime.family === 'provided') return { file: command.file, args: command.args };
    return { file: this.#hostPath(wrapper), args: [command.file, ...command.args] };
  }

  /** A path as Lambda names it (`/opt/...`, `/var/task/...`) on this machine. */
  #hostPath(lambdaPath: string): string {
    const { codeDirectory, layersDirectory } = this.#parts.options;
    if (layersDirectory !== undefined && lambdaPath.startsWith('/opt/')) return `${layersDirectory}/${lambdaPath.slice('/opt/'.length)}`;
    if (lambdaPath.startsWith('/var/task/')) return `${codeDirectory}/${lambdaPath.slice('/var/task/'.length)}`;
    return lambdaPath;
  }
}
