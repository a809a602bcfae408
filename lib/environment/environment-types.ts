import type { FunctionSpec } from '../assembly/index.js';
import type { TelemetryEvent } from '../runtime-api/index.js';
import type { CallerResponse } from './caller-response.js';
import type { DebugSettings } from './debugger.js';
import type { DiagnosticLogger } from './diagnostics.js';
import type { LogRecord, LogSink } from './log-record.js';
import type { PlatformStatus } from './platform-lines.js';
import type { AwsCredentials } from './reserved-variables.js';
import type { RuntimeProvision } from './runtime-command.js';
import type { SandboxSetting } from './sandbox/index.js';

// What callers of an execution environment give it and get back.

/** Lambda's limit on the init phase. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

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
  /**
   * Names of variables whose values point at this machine (set with `--env-vars`): in a
   * network namespace of its own, `localhost` and `127.0.0.1` in them become the host name by
   * which the environment reaches this machine (`host.cdk-local.internal`).
   */
  readonly hostVariables?: readonly string[];
  /** Variables cdk-local set to a service of its own on this machine: rewritten as above, without a notice. */
  readonly quietHostVariables?: readonly string[];
  /** Where the AWS SDK and other pieces Lambda's runtimes provide are found or cached. */
  readonly provision?: RuntimeProvision;
  /**
   * Let a debugger attach to the runtime (Node.js inspector, Python debugpy) on
   * 127.0.0.1: the runtime waits for it before the handler's module loads, the function's
   * timeout and the init limit do not fire, and the environment is never frozen.
   */
  readonly debug?: DebugSettings;
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
  /** The tenant of a tenant-isolated function (`Lambda-Runtime-Aws-Tenant-Id`). */
  readonly tenantId?: string;
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
