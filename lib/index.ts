/**
 * cdk-local: run the Lambda functions of a CDK app locally, before deploy, without Docker.
 * The public library API.
 */
export { CdkLocalError, ErrorCodes, isCdkLocalError, type ErrorCode } from './errors.js';
export {
  LocalLambda,
  type FromAppOptions,
  type FunctionError,
  type InvokeOptions,
  type InvokeResult,
  type LocalLambdaEvent,
  type LocalLambdaOptions,
  type WaitForOptions,
} from './host/index.js';
export {
  startApi,
  startLambdaServer,
  type ApiEndpoint,
  type ApiRequestSummary,
  type ApiServer,
  type StartApiOptions,
  type AsyncRetryOptions,
  type InvocationSummary,
  type LambdaServer,
  type LambdaServerOptions,
} from './servers/index.js';
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
export type { FunctionSpec, CodeLocation, LayerSpec, LoggingSpec, FunctionUrlSpec, UnresolvedVariable } from './assembly/function-spec.js';
export type { SynthReason } from './assembly/synthesize.js';
export type {
  AwsCredentials,
  CallerResponse,
  EnvironmentEvent,
  InvocationHandle,
  InvocationReport,
  LogRecord,
  SandboxSetting,
  TelemetryEvent,
} from './environment/index.js';
