export {
  DEFAULT_INIT_TIMEOUT_MS,
  ExecutionEnvironment,
  type CallerResponse,
  type EnvironmentEvent,
  type EnvironmentState,
  type ExecutionEnvironmentOptions,
  type InvocationHandle,
  type InvocationReport,
  type InvokeRequest,
  type TelemetryEvent,
} from './execution-environment.js';
export type { LogRecord, LogSink } from './log-record.js';
export type { PlatformStatus } from './platform-lines.js';
export type { AwsCredentials } from './reserved-variables.js';
export { isolateTaskRoot } from './task-root.js';
export { listExternalExtensions, type ExtensionFile } from './extensions.js';
export { chooseSandbox, hasOwnNetwork, HOST_NAME, isSandboxConnection, type SandboxSetting } from './sandbox/index.js';
export { SILENT_LOGGER, type DiagnosticLogger } from './diagnostics.js';
export type { RuntimeProvision } from './runtime-command.js';
export { checkDebugPort, type DebugSettings } from './debugger.js';
