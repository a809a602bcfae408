import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  checkRunnable,
  findFunction,
  loadCloudAssembly,
  readAssembly,
  readEnvVarsFile,
  resolveAccount,
  resolveEnvironmentOverrides,
  type ApiSpec,
  resolveRegion,
  type Assembly,
  type EnvVarsOverrides,
  type FunctionSpec,
  type SynthReason,
  versionSpec,
} from '../assembly/index.js';
import type {
  AwsCredentials,
  DebugSettings,
  DiagnosticLogger,
  EnvironmentEvent,
  InvocationHandle,
  InvocationReport,
  InvokeRequest,
  LogRecord,
  RuntimeProvision,
  SandboxSetting,
  TelemetryEvent,
} from '../environment/index.js';
import { checkDebugPort, chooseSandbox } from '../environment/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { runtimeCacheDirectory } from '../runtimes/index.js';
import { resolveCredentials } from './credentials.js';
import { checkLayerMappings } from './external-layers.js';
import { FunctionHost } from './function-host.js';
import { resolveQualifier } from './resolve-qualifier.js';

/** Options shared by every way of making a {@link LocalLambda}. */
export interface LocalLambdaOptions {
  /** A SAM-compatible `--env-vars` file, or its parsed content. */
  readonly envVars?: string | EnvVarsOverrides;
  /** Credentials for the functions; by default the user's own, as the AWS SDK finds them. */
  readonly credentials?: AwsCredentials | 'none';
  /** The AWS profile to take credentials from. */
  readonly profile?: string;
  /**
   * The region of stacks that do not set one, and (with {@link LocalLambda.fromApp}) the
   * synth's `CDK_DEFAULT_REGION`. @default AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1
   */
  readonly region?: string;
  /**
   * The account of stacks that do not set one, and (with {@link LocalLambda.fromApp}) the
   * synth's `CDK_DEFAULT_ACCOUNT`. @default CDK_DEFAULT_ACCOUNT, else 123456789012
   */
  readonly account?: string;
  /** Receives every log record of every function as it happens, with the function it came from. */
  readonly onLog?: (record: LogRecord, spec: FunctionSpec) => void;
  /** Receives every telemetry event (platform, function, extension) of every function as it happens. */
  readonly onTelemetry?: (event: TelemetryEvent, spec: FunctionSpec) => void;
  /** Receives one-line notices (version mismatches, unresolved variables, layers that cannot be had). */
  readonly onNotice?: (message: string) => void;
  /**
   * Stop each environment's processes between invocations, as Lambda freezes them.
   * @default true
   */
  readonly freeze?: boolean;
  /**
   * Run each environment in a bubblewrap sandbox that looks like Lambda's (code read-only at
   * `/var/task`, layers at `/opt`, a capped `/tmp`, `sandbox.localdomain`, its own PID
   * namespace): `'auto'` where bubblewrap works, `true` always (an error where it cannot),
   * `false` never.
   * @default 'auto'
   */
  readonly sandbox?: SandboxSetting;
  /** cdk-local's own diagnostics (a pino logger will do). @default silent */
  readonly logger?: DiagnosticLogger;
  /**
   * Run Node.js functions on the local `node` whatever major their runtime names, instead of
   * a Node.js build of that major fetched once into the runtime cache.
   * @default false
   */
  readonly localRuntime?: boolean;
  /**
   * Where what Lambda's runtimes provide (the AWS SDK, Node.js builds) is cached.
   * @default CDK_LOCAL_CACHE_DIR, else $XDG_CACHE_HOME/cdk-local, else ~/.cache/cdk-local
   */
  readonly runtimeCacheDirectory?: string;
  /**
   * The user's project, searched first for an installed AWS SDK (its nearest node_modules).
   * @default the directory of cdk.json for fromApp(), else process.cwd()
   */
  readonly projectDirectory?: string;
  /**
   * Local directories or zips for layers from outside the app, by layer version ARN
   * (`--layer ARN=PATH`). Layers not mapped are downloaded with the functions' credentials
   * (Lambda's GetLayerVersionByArn) into the runtime cache, once.
   */
  readonly layers?: Readonly<Record<string, string>>;
  /** Where unpacked code and layers are cached. @default a folder under the OS temp dir */
  readonly cacheDirectory?: string;
  /** Most environments per function without reserved concurrency. @default 10 */
  readonly maxConcurrency?: number;
  /** Shut idle environments down after this long; 0 keeps them. @default 0 */
  readonly idleTimeoutMs?: number;
  /**
   * Let a debugger attach to each function on 127.0.0.1 at this port (Node.js inspector,
   * Python debugpy): the runtime waits for it before the handler's module loads, timeouts
   * are off, and each function runs one environment at a time.
   */
  readonly debugPort?: number;
  /** Python: a directory holding `debugpy`, added to the function's Python path when debugging. */
  readonly debuggerPath?: string;
}

/** Options of {@link LocalLambda.fromApp}. */
export interface FromAppOptions extends LocalLambdaOptions {
  /** The directory with cdk.json. @default process.cwd() */
  readonly cwd?: string;
  /** A cloud assembly directory or a command that synthesizes one, instead of cdk.json's app. */
  readonly app?: string;
  readonly signal?: AbortSignal;
  /** Context values on top of cdk.json and cdk.context.json, as `cdk synth -c key=value` gives them. */
  readonly context?: Readonly<Record<string, string>>;
  /** Synthesize even when the `cdk.out` there could be reused. @default false */
  readonly synth?: boolean;
  /** Called with the app's command, and why, when it has to be synthesized. */
  readonly onSynthesize?: (command: string, reason: SynthReason) => void;
  /** Called when a `cdk.out` synthesized earlier from the same inputs is reused instead. */
  readonly onReuse?: (directory: string, synthesizedAt: Date) => void;
}

/** One invocation as a test asks for it. */
export interface InvokeOptions {
  /** The event, serialised as JSON. @default {} */
  readonly event?: unknown;
  /** The event bytes as they are (instead of `event`). */
  readonly payload?: Buffer | string;
  /** The client context, serialised as JSON. */
  readonly clientContext?: unknown;
  /** A version number or alias name the function declares (`$LATEST` when not given). */
  readonly qualifier?: string;
  /** The tenant, required for (and only for) a function with `TenantIsolationMode: PER_TENANT`. */
  readonly tenantId?: string;
}

/** One invocation as {@link LocalLambda.start} takes it: the environment's request and the qualifier to resolve. */
export interface StartRequest extends InvokeRequest {
  /** A version number or alias name the function declares; `invokedFunctionArn` defaults to the ARN qualified with it. */
  readonly qualifier?: string;
}

/** An invocation under way, and the version that runs it. */
export interface StartedInvocation extends InvocationHandle {
  /** `$LATEST` or a version number (an alias resolved), as `X-Amz-Executed-Version` says. */
  readonly executedVersion: string;
}

/** A lifecycle event of one of the app's environments. */
export type LocalLambdaEvent = EnvironmentEvent & {
  /** The function's construct path. */
  readonly constructPath: string;
  /** `$LATEST` or the version number of the environment. */
  readonly version: string;
  /** The tenant whose environment it is, for a tenant-isolated function. */
  readonly tenantId?: string;
};

/** Options of {@link LocalLambda.waitFor}. */
export interface WaitForOptions {
  /** @default 10000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A function error, as Lambda returns it. */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** What one invocation gave. */
export interface InvokeResult {
  readonly requestId: string;
  /** The response parsed as JSON; undefined when it is not JSON (see rawPayload). */
  readonly payload: unknown;
  /** The response bytes exactly as the function returned them (or the error document). */
  readonly rawPayload: Buffer;
  readonly contentType: string;
  /** Set when the function failed. */
  readonly error?: FunctionError;
  /** The function's own log lines (no START/END/REPORT). */
  readonly logs: readonly string[];
  /** Every log record, platform lines included. */
  readonly records: readonly LogRecord[];
  /** Every telemetry event of the invocation (and of its init), as the Telemetry API delivers them. */
  readonly telemetry: readonly TelemetryEvent[];
  readonly report: InvocationReport;
  /** `$LATEST` or the version number that ran (an alias resolved). */
  readonly executedVersion: string;
}

/** What a durable function signs its checkpoints with when the user has no credentials: the local service checks none. */
const LOCAL_DURABLE_CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIDCDKLOCALDURABLE', secretAccessKey: 'cdk-local-durable-execution-service' };

/** The host's `debug` option for a LocalLambda's `debugPort` and `debuggerPath`. */
function debugOption(options: LocalLambdaOptions): { debug?: DebugSettings } {
  if (options.debugPort === undefined) return {};
  return { debug: { port: options.debugPort, ...(options.debuggerPath === undefined ? {} : { debuggerPath: options.debuggerPath }) } };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function toFunctionError(errorType: string, body: Buffer): FunctionError {
  const parsed = parseJson(body) as { errorType?: unknown; errorMessage?: unknown; trace?: unknown; stackTrace?: unknown } | undefined;
  const trace = Array.isArray(parsed?.trace) ? parsed.trace : Array.isArray(parsed?.stackTrace) ? parsed.stackTrace : undefined;
  return {
    errorType: typeof parsed?.errorType === 'string' ? parsed.errorType : errorType,
    errorMessage: typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : body.toString('utf8'),
    ...(trace === undefined ? {} : { trace: trace.map(String) }),
  };
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch {
    // A stream cut by a timeout: the caller gets what arrived, then the error.
  }
  return Buffer.concat(chunks);
}

/**
 * The functions of a CDK app, ready to invoke locally: what the CLI does, as a library.
 * Environments start on first use and stay warm until {@link close}.
 */
export class LocalLambda implements AsyncDisposable {
  /** Every Lambda function of the app (of its latest version, when it is followed: see {@link adopt}). */
  get functions(): readonly FunctionSpec[] {
    return this.#functions;
  }
  #functions: readonly FunctionSpec[];
  /** Set while a new version of the app is being read: invocations wait for it. */
  #paused: Promise<void> | undefined;
  /** Hosts of replaced functions, finishing their invocations. */
  readonly #retired = new Set<FunctionHost>();
  /** The app's REST, HTTP and WebSocket APIs and function URLs, whose integrations refer to {@link functions}. */
  get apis(): readonly ApiSpec[] {
    return this.#apis;
  }
  #apis: readonly ApiSpec[];
  /** The cloud assembly directory. */
  readonly assemblyDirectory: string;
  readonly #options: LocalLambdaOptions;
  readonly #overrides: EnvVarsOverrides | undefined;
  readonly #credentials: AwsCredentials | undefined;
  readonly #layerMapping: Readonly<Record<string, string>>;
  /** Each runnable spec ($LATEST or a version) has its hosts: '' for all, else one per tenant. */
  readonly #hosts = new Map<FunctionSpec, Map<string, FunctionHost>>();
  readonly #noticed = new Set<string>();
  /** Names already looked up: tests invoke the same function by the same name many times. */
  readonly #byName = new Map<string, FunctionSpec>();
  readonly #waiters = new Set<{ matches: (event: LocalLambdaEvent) => boolean; resolve: (event: LocalLambdaEvent) => void }>();
  #closing: Promise<void> | undefined;
  /** Where durable functions reach the Lambda API (their checkpoints); see {@link useLambdaEndpoint}. */
  #lambdaEndpoint: string | undefined;
  /** Variables cdk-local gives functions by construct path (a served WebSocket API's endpoint); see {@link useFunctionVariable}. */
  readonly #givenVariables = new Map<string, Map<string, string>>();

  private constructor(
    assembly: Assembly,
    options: LocalLambdaOptions,
    overrides: EnvVarsOverrides | undefined,
    credentials: AwsCredentials | undefined,
    layerMapping: Readonly<Record<string, string>>,
  ) {
    this.#layerMapping = layerMapping;
    this.#functions = assembly.functions;
    this.#apis = assembly.apis;
    this.assemblyDirectory = assembly.directory;
    this.#options = options;
    this.#overrides = overrides;
    this.#credentials = credentials;
    for (const warning of assembly.warnings) this.#notice(warning);
  }

  /** Reads a synthesized cloud assembly directory (`cdk.out`). */
  static async fromAssembly(directory: string, options: LocalLambdaOptions = {}): Promise<LocalLambda> {
    // A sandbox that is required but cannot be had fails before anything runs.
    if (options.sandbox === true) await chooseSandbox(true);
    if (options.debugPort !== undefined) checkDebugPort(options.debugPort);
    const assembly = await readAssembly(resolve(directory), {
      defaultRegion: resolveRegion(options.region),
      defaultAccount: resolveAccount(options.account),
    });
    const overrides = typeof options.envVars === 'string' ? await readEnvVarsFile(options.envVars) : options.envVars;
    const credentials =
      options.credentials === 'none' ? undefined : (options.credentials ?? (await resolveCredentials(options.profile === undefined ? {} : { profile: options.profile })));
    const layerMapping = await checkLayerMappings(options.layers ?? {}, assembly.functions);
    return new LocalLambda(assembly, options, overrides, credentials, layerMapping);
  }

  /**
   * Synthesizes a CDK app in this process and reads it: pass the `App`, a `Stage`, or a
   * `Stack` (its whole app is synthesized).
   */
  static async fromStack(construct: import('constructs').IConstruct, options: LocalLambdaOptions = {}): Promise<LocalLambda> {
    const { Stage } = await import('aws-cdk-lib');
    const stage = Stage.of(construct) ?? (Stage.isStage(construct) ? construct : undefined);
    if (stage === undefined) {
      throw new CdkLocalError(ErrorCodes.USAGE, 'LocalLambda.fromStack() needs a construct inside a CDK App or Stage.');
    }
    let root: import('aws-cdk-lib').Stage = stage;
    while (Stage.of(root) !== undefined) root = Stage.of(root)!;
    return LocalLambda.fromAssembly(root.synth().directory, options);
  }

  /** Finds the app as the CLI does (`--app`, else cdk.json in `cwd`), synthesizing when needed. */
  static async fromApp(options: FromAppOptions = {}): Promise<LocalLambda> {
    const { directory } = await loadCloudAssembly({
      cwd: options.cwd ?? process.cwd(),
      ...(options.app === undefined ? {} : { app: options.app }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.account === undefined ? {} : { account: options.account }),
      ...(options.synth === undefined ? {} : { forceSynth: options.synth }),
      ...(options.onSynthesize === undefined ? {} : { onSynthesize: options.onSynthesize }),
      ...(options.onReuse === undefined ? {} : { onReuse: options.onReuse }),
    });
    return LocalLambda.fromAssembly(directory, { ...options, projectDirectory: options.projectDirectory ?? options.cwd ?? process.cwd() });
  }

  #provision(): RuntimeProvision {
    const { runtimeCacheDirectory, projectDirectory, localRuntime } = this.#options;
    return {
      projectDirectory: projectDirectory ?? process.cwd(),
      ...(runtimeCacheDirectory === undefined ? {} : { cacheDirectory: runtimeCacheDirectory }),
      ...(localRuntime === undefined ? {} : { localRuntime }),
    };
  }

  /**
   * Gives durable functions `AWS_ENDPOINT_URL_LAMBDA=url`, so the durable execution SDK in them
   * checkpoints with the local durable execution service serving the Lambda API there. Takes
   * effect for environments started afterwards; call it before the first invocation.
   */
  useLambdaEndpoint(url: string): void {
    this.#lambdaEndpoint = url;
  }

  /**
   * Gives the functions `name=value` in their environment, as a local service they are meant
   * to reach (`AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` of a served WebSocket API). A value the
   * user set with `--env-vars` wins. Takes effect for environments started afterwards.
   */
  useFunctionVariable(functions: readonly FunctionSpec[], name: string, value: string): void {
    for (const fn of functions) {
      let variables = this.#givenVariables.get(fn.constructPath);
      if (variables === undefined) {
        variables = new Map();
        this.#givenVariables.set(fn.constructPath, variables);
      }
      variables.set(name, value);
    }
  }

  /** Finds a function by construct path, path without the stack, logical ID, `Stack:LogicalId` or name. */
  getFunction(name: string): FunctionSpec {
    let spec = this.#byName.get(name);
    if (spec === undefined) {
      spec = findFunction(this.functions, name);
      this.#byName.set(name, spec);
    }
    return spec;
  }

  /**
   * Starts an invocation; the caller reads the answer and the report from the handle. A
   * `qualifier` runs a version or alias the function declares; a tenant-isolated function
   * needs a `tenantId`, and its tenants never share an environment.
   */
  async start(name: string | FunctionSpec, request: StartRequest): Promise<StartedInvocation> {
    if (this.#paused !== undefined) await this.#paused;
    const spec = typeof name === 'string' ? this.getFunction(name) : this.#latest(name);
    const { qualifier, ...invokeRequest } = request;
    const tenantId = request.tenantId;
    if (spec.tenantIsolationMode !== undefined && (tenantId === undefined || tenantId === '')) {
      throw new CdkLocalError(
        ErrorCodes.TENANT_ID_MISMATCH,
        `${spec.constructPath} has tenant isolation (PER_TENANT): give a tenant id (--tenant-id, the TenantId of Invoke).`,
      );
    }
    if (spec.tenantIsolationMode === undefined && tenantId !== undefined) {
      throw new CdkLocalError(ErrorCodes.TENANT_ID_MISMATCH, `${spec.constructPath} does not have tenant isolation: invoke it without a tenant id.`);
    }
    const resolved = resolveQualifier(spec, qualifier);
    if (resolved.executedVersion !== '$LATEST') {
      this.#notice(
        `${spec.constructPath}: its versions run the function as the app declares it now, numbered in template order; a deployed version keeps the code and configuration it was published with.`,
      );
    }
    if (resolved.provisionedConcurrency !== undefined) {
      this.#notice(
        `${spec.constructPath}:${qualifier} declares provisioned concurrency (${resolved.provisionedConcurrency}); cdk-local starts its environments on demand, cold starts included.`,
      );
    }
    const handle = await this.#host(resolved.spec, tenantId).invoke({
      ...invokeRequest,
      invokedFunctionArn: request.invokedFunctionArn ?? resolved.invokedFunctionArn,
    });
    return { ...handle, executedVersion: resolved.executedVersion };
  }

  /** A spec of this app as it is now: one of an earlier version stands for the function at its construct path. */
  #latest(spec: FunctionSpec): FunctionSpec {
    if (this.#functions.includes(spec)) return spec;
    const latest = this.#functions.find((candidate) => candidate.constructPath === spec.constructPath);
    if (latest === undefined) throw new CdkLocalError(ErrorCodes.FUNCTION_NOT_FOUND, `${spec.constructPath} is no longer in the app.`);
    return latest;
  }

  /**
   * Holds new invocations until the returned function is called (a new version of the app is
   * being synthesized); the invocations under way go on.
   */
  pause(): () => void {
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    this.#paused = paused;
    return () => {
      if (this.#paused === paused) this.#paused = undefined;
      resume();
    };
  }

  /**
   * Takes `functions` (the same app, synthesized again) in place of its own, function by
   * function: a function whose spec (code included) changed gets new environments from the
   * next invocation on, while its invocations under way finish on the old code; the others
   * keep their warm environments; `apis`, when given, replace the app's APIs. Returns the
   * construct paths that changed. `renew` names functions that count as changed whatever their
   * spec: their code changed where the spec does not show it (an unstaged source directory).
   */
  adopt(
    functions: readonly FunctionSpec[],
    apis?: readonly ApiSpec[],
    { renew = [] }: { readonly renew?: readonly string[] } = {},
  ): { readonly changed: readonly string[]; readonly added: readonly string[]; readonly removed: readonly string[] } {
    const next = new Map(functions.map((spec) => [spec.constructPath, spec]));
    const previous = new Map(this.#functions.map((spec) => [spec.constructPath, spec]));
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [path, spec] of previous) {
      const replacement = next.get(path);
      if (replacement === undefined) removed.push(path);
      else if (renew.includes(path) || JSON.stringify(replacement) !== JSON.stringify(spec)) changed.push(path);
    }
    const added = [...next.keys()].filter((path) => !previous.has(path));
    for (const [spec, hosts] of [...this.#hosts]) {
      this.#hosts.delete(spec);
      const fresh = next.get(spec.constructPath);
      // A published version of the function stays what it is only as long as the function does.
      const replacement = fresh === undefined ? undefined : versionSpec(fresh, spec.version);
      if (replacement !== undefined && !changed.includes(spec.constructPath)) {
        this.#hosts.set(replacement, hosts);
        continue;
      }
      for (const host of hosts.values()) {
        this.#retired.add(host);
        void host
          .drain()
          .catch((error: unknown) => this.#notice(`${spec.constructPath}: its old version did not shut down cleanly: ${String(error)}`))
          .finally(() => this.#retired.delete(host));
      }
    }
    this.#functions = functions;
    if (apis !== undefined) this.#apis = apis;
    this.#byName.clear();
    return { changed, added, removed };
  }

  /**
   * How many environments a function has now, and the most it ever had at once (0 before its
   * first invoke): of `$LATEST` or of one version (`qualifier`, a version number), of one tenant.
   */
  environmentCount(
    name: string | FunctionSpec,
    { qualifier, tenantId }: { readonly qualifier?: string; readonly tenantId?: string } = {},
  ): { readonly current: number; readonly peak: number } {
    const spec = typeof name === 'string' ? this.getFunction(name) : name;
    const runnable = qualifier === undefined ? spec : versionSpec(spec, qualifier);
    const host = runnable === undefined ? undefined : this.#hosts.get(runnable)?.get(tenantId ?? '');
    return { current: host?.environmentCount ?? 0, peak: host?.peakEnvironments ?? 0 };
  }

  /** Invokes a function and waits for its answer, its logs and its report. */
  async invoke(name: string | FunctionSpec, options: InvokeOptions = {}): Promise<InvokeResult> {
    const payload =
      options.payload === undefined ? Buffer.from(JSON.stringify(options.event ?? {})) : Buffer.from(options.payload);
    const handle = await this.start(name, {
      payload,
      ...(options.clientContext === undefined ? {} : { clientContext: JSON.stringify(options.clientContext) }),
      ...(options.qualifier === undefined ? {} : { qualifier: options.qualifier }),
      ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
    });
    const response = await handle.response;
    let rawPayload: Buffer;
    let contentType: string;
    let error: FunctionError | undefined;
    if (response.kind === 'function-error') {
      rawPayload = response.body;
      contentType = response.contentType;
      error = toFunctionError(response.errorType, response.body);
    } else if (response.kind === 'stream') {
      rawPayload = await collect(response.body);
      contentType = response.contentType;
      const completion = await response.completion;
      if (completion.error !== undefined) error = toFunctionError(completion.error.errorType ?? 'Function.Unknown', completion.error.body);
    } else {
      rawPayload = response.body;
      contentType = response.contentType;
    }
    const report = await handle.report;
    if (error === undefined && report.status === 'timeout') {
      error = { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${report.requestId} Error: Task timed out` };
    }
    return {
      requestId: handle.requestId,
      payload: parseJson(rawPayload),
      rawPayload,
      contentType,
      ...(error === undefined ? {} : { error }),
      logs: report.logs.filter((record) => record.type === 'function').map((record) => record.text),
      records: report.logs,
      telemetry: report.telemetry,
      report,
      executedVersion: handle.executedVersion,
    };
  }

  #host(spec: FunctionSpec, tenantId: string | undefined): FunctionHost {
    if (this.#closing !== undefined) throw new CdkLocalError(ErrorCodes.CLOSED, 'This LocalLambda was closed.');
    let hosts = this.#hosts.get(spec);
    if (hosts === undefined) {
      hosts = new Map();
      this.#hosts.set(spec, hosts);
    }
    let host = hosts.get(tenantId ?? '');
    if (host === undefined) {
      checkRunnable(spec);
      const overrides = this.#overrides === undefined ? {} : resolveEnvironmentOverrides(spec, this.#overrides);
      // A variable the user set (or unset) with --env-vars has no placeholder to warn about.
      // Nor has one cdk-local gives (the app's `stage.callbackUrl` in AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI).
      const given = this.#givenVariables.get(spec.constructPath);
      const unresolved = spec.unresolvedEnvironment.map((variable) => variable.name).filter((name) => !Object.hasOwn(overrides, name) && given?.has(name) !== true);
      if (unresolved.length > 0) {
        this.#notice(
          `${spec.constructPath}: ${unresolved.join(', ')} ${unresolved.length === 1 ? 'is' : 'are'} only known at deploy time and ${unresolved.length === 1 ? 'gets a placeholder' : 'get placeholders'}; set real values with --env-vars.`,
        );
      }
      const functionVariables: Record<string, string> = { ...spec.environment };
      // The durable execution SDK checkpoints through the Lambda API: the local one (an override may say otherwise).
      if (spec.durable !== undefined && this.#lambdaEndpoint !== undefined) functionVariables['AWS_ENDPOINT_URL_LAMBDA'] = this.#lambdaEndpoint;
      for (const [name, value] of this.#givenVariables.get(spec.constructPath) ?? []) functionVariables[name] = value;
      for (const [name, value] of Object.entries(overrides)) {
        if (value === null) delete functionVariables[name];
        else functionVariables[name] = value;
      }
      // Without credentials the SDK would not sign its checkpoints; the local service takes any.
      const credentials = this.#credentials ?? (spec.durable === undefined ? undefined : LOCAL_DURABLE_CREDENTIALS);
      host = new FunctionHost({
        spec,
        cacheDirectory: this.#options.cacheDirectory ?? join(tmpdir(), 'cdk-local', createHash('sha256').update(this.assemblyDirectory).digest('hex').slice(0, 16)),
        functionVariables,
        ...(credentials === undefined ? {} : { credentials }),
        ...(this.#options.onLog === undefined ? {} : { onLog: (record: LogRecord) => this.#options.onLog?.(record, spec) }),
        ...(this.#options.onTelemetry === undefined ? {} : { onTelemetry: (event: TelemetryEvent) => this.#options.onTelemetry?.(event, spec) }),
        onEvent: (event) =>
          this.#dispatch({ ...event, constructPath: spec.constructPath, version: spec.version, ...(tenantId === undefined ? {} : { tenantId }) }),
        ...(this.#options.freeze === undefined ? {} : { freeze: this.#options.freeze }),
        ...(this.#options.logger === undefined
          ? {}
          : { logger: this.#options.logger.child({ function: spec.constructPath, ...(spec.version === '$LATEST' ? {} : { version: spec.version }), ...(tenantId === undefined ? {} : { tenantId }) }) }),
        ...(this.#options.sandbox === undefined ? {} : { sandbox: this.#options.sandbox }),
        hostVariables: Object.keys(overrides).filter((name) => overrides[name] !== null),
        // Its own endpoints, which the user did not set: they need no word on how the sandbox reaches them.
        quietHostVariables: [...(given?.keys() ?? [])].filter((name) => !Object.hasOwn(overrides, name)),
        provision: this.#provision(),
        onNotice: (message) => this.#notice(message),
        ...(this.#options.maxConcurrency === undefined ? {} : { maxConcurrency: this.#options.maxConcurrency }),
        ...(this.#options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: this.#options.idleTimeoutMs }),
        externalLayers: {
          mapping: this.#layerMapping,
          ...(this.#credentials === undefined ? {} : { credentials: this.#credentials }),
          cacheDirectory: this.#options.runtimeCacheDirectory ?? runtimeCacheDirectory(),
          onNotice: (message) => this.#notice(message),
        },
        ...debugOption(this.#options),
      });
      hosts.set(tenantId ?? '', host);
    }
    return host;
  }

  /**
   * Waits for the next lifecycle event that matches (an extension registered, an
   * invocation complete, an environment frozen or shut down). Only events after the call
   * count, so start waiting before you cause the event.
   */
  async waitFor(matches: (event: LocalLambdaEvent) => boolean, options: WaitForOptions = {}): Promise<LocalLambdaEvent> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let waiter: { matches: (event: LocalLambdaEvent) => boolean; resolve: (event: LocalLambdaEvent) => void } | undefined;
    try {
      const seen = new Promise<LocalLambdaEvent>((resolve) => {
        waiter = { matches, resolve };
        this.#waiters.add(waiter);
      });
      const timedOut = sleep(timeoutMs, undefined, { signal: stop.signal }).then(() => {
        throw new CdkLocalError(ErrorCodes.WAIT_TIMEOUT, `No matching event within ${timeoutMs} ms.`);
      });
      return await Promise.race([seen, timedOut]);
    } finally {
      if (waiter !== undefined) this.#waiters.delete(waiter);
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  #dispatch(event: LocalLambdaEvent): void {
    for (const waiter of this.#waiters) {
      if (waiter.matches(event)) {
        this.#waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  #notice(message: string): void {
    if (this.#noticed.has(message)) return;
    this.#noticed.add(message);
    this.#options.onNotice?.(message);
  }

  /** Shuts every environment down; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#paused = undefined;
      // Replaced functions still finishing on their old code are shut down too.
      const hosts = [...this.#hosts.values()].flatMap((byTenant) => [...byTenant.values()]);
      const results = await Promise.allSettled([...hosts, ...this.#retired].map((host) => host.close()));
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
