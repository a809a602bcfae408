/**
 * The cloud assembly: from a CDK app (or its `cdk.out`) to the specs of its Lambda
 * functions, and from a spec to code that is ready to run.
 */
export type {
  AliasSpec,
  CodeLocation,
  FunctionSpec,
  DurableSpec,
  FunctionUrlSpec,
  LayerSpec,
  LoggingSpec,
  ManagedInstancesSpec,
  UnresolvedVariable,
  VersionSpec,
} from './function-spec.js';
export { hasQualifier, versionSpec } from './version-spec.js';
export type {
  ApiIntegration,
  ApiSpec,
  ApiStageSpec,
  CorsSpec,
  AuthorizerSpec,
  FunctionUrlEndpointSpec,
  JwtAuthorizerSpec,
  LambdaAuthorizerSpec,
  RouteAuthorization,
  HttpApiSpec,
  HttpRouteSpec,
  IntegrationResponseSpec,
  NonProxyIntegration,
  RestApiKeySpec,
  RestApiSpec,
  RestMethodRequestSpec,
  RestRouteSpec,
  WebSocketApiSpec,
  WebSocketRouteSpec,
} from './api-spec.js';
export { readAssembly, type Assembly, type ReadAssemblyOptions } from './read-assembly.js';
export { findApis } from './find-api.js';
export { findFunction, type FindFunctionOptions } from './find-function.js';
export { checkRunnable } from './check-runnable.js';
export { runtimeFamily, type SupportedRuntimeFamily } from './runtime-family.js';
export { prepareCode } from './prepare-code.js';
export { prepareLayers, type PreparedLayers } from './prepare-layers.js';
export { prepareFunctionCode, type PreparedFunctionCode } from './prepare-function-code.js';
export { MAX_UNZIPPED_CODE_BYTES } from './extract-zip.js';
export { readEnvVarsFile, parseEnvVarsOverrides, type EnvVarsOverrides } from './read-env-vars-file.js';
export { resolveEnvironmentOverrides } from './resolve-environment-overrides.js';
export { loadCloudAssembly, type LoadCloudAssemblyOptions, type LoadCloudAssemblyResult, type SynthReason } from './synthesize.js';
export {
  checkAssemblyReuse,
  isAssemblyFresh,
  isVolatileVariable,
  synthFingerprint,
  SYNTH_RECORD_FILE,
  type AssemblyFreshnessOptions,
  type StaleReason,
  type SynthInputs,
} from './assembly-freshness.js';
export { DEFAULT_ACCOUNT, DEFAULT_REGION, resolveAccount, resolveRegion } from './aws-defaults.js';
export {
  readTriggers,
  type TriggerSpec,
  type S3TriggerSpec,
  type StreamTriggerSpec,
  type EventRuleTriggerSpec,
  type ScheduleTriggerSpec,
  type SnsTriggerSpec,
  type RestApiTriggerSpec,
  type HttpApiTriggerSpec,
  type WebSocketApiTriggerSpec,
  type CognitoTriggerSpec,
  type SchedulerTriggerSpec,
  type UnsupportedTriggerSpec,
} from './read-triggers.js';
