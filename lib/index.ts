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
  startLambdaServer,
  type AsyncRetryOptions,
  type InvocationSummary,
  type LambdaServer,
  type LambdaServerOptions,
} from './servers/index.js';
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
