/**
 * cdk-local: run the Lambda functions of a CDK app locally, before deploy, without Docker.
 * The public library API: every type its signatures use is exported here too.
 */
export { CdkLocalError, ErrorCodes, isCdkLocalError, type CdkLocalErrorOptions, type ErrorCode } from './errors.js';
export {
  followApp,
  LocalLambda,
  withUnstagedAssets,
  type FollowAppOptions,
  type FollowedApp,
  type Reload,
  type FromAppOptions,
  type FunctionError,
  type InvokeOptions,
  type InvokeResult,
  type LocalLambdaEvent,
  type LocalLambdaOptions,
  type StartedInvocation,
  type StartRequest,
  type WaitForOptions,
} from './host/index.js';
export {
  startApi,
  DEFAULT_MAX_ASYNC_PAYLOAD_BYTES,
  startLambdaServer,
  type ApiEndpoint,
  type ApiRequestSummary,
  type ApiServer,
  type StartApiOptions,
  type AsyncRetryOptions,
  type InvocationListener,
  type InvocationSummary,
  type InvocationType,
  type LambdaApiOptions,
  type LambdaServer,
  type LambdaServerOptions,
} from './servers/index.js';
export {
  DurableApiError,
  DurableExecution,
  DurableService,
  type CheckpointEffects,
  type DurableExecutionInit,
  type DurableServiceOptions,
  type ErrorObject,
  type ExecutionStatus,
  type HistoryEvent,
  type ListExecutionsOptions,
  type Operation,
  type OperationAction,
  type OperationStatus,
  type OperationType,
  type OperationUpdate,
  type StartExecutionOptions,
} from './durable/index.js';
export {
  EVENT_SERVICES,
  eventForTrigger,
  generateEvent,
  type EventContext,
  type EventDefinition,
  type EventOption,
  type ServiceDefinition,
} from './events/index.js';
export { readTriggers, type TriggerSpec } from './assembly/index.js';
export type { ApiSpec, RestApiSpec, HttpApiSpec, WebSocketApiSpec, FunctionUrlEndpointSpec, ApiIntegration, ApiStageSpec, RestRouteSpec, HttpRouteSpec } from './assembly/api-spec.js';
export type { SynthReason } from './assembly/synthesize.js';
export type {
  AliasSpec,
  CodeLocation,
  DurableSpec,
  EnvVarsOverrides,
  FunctionSpec,
  FunctionUrlSpec,
  LayerSpec,
  LoggingSpec,
  UnresolvedVariable,
  VersionSpec,
} from './assembly/index.js';
export type {
  AwsCredentials,
  CallerResponse,
  DiagnosticLogger,
  EnvironmentEvent,
  InvocationHandle,
  InvocationReport,
  InvokeRequest,
  LogRecord,
  PlatformStatus,
  SandboxSetting,
  TelemetryEvent,
} from './environment/index.js';
export type { PostedError, StreamCompletion } from './runtime-api/index.js';
