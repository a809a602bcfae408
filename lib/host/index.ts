export { resolveCredentials, type ResolveCredentialsOptions } from './credentials.js';
export { FunctionHost, MAX_SYNC_PAYLOAD_BYTES, type FunctionHostOptions } from './function-host.js';
export {
  LocalLambda,
  type FromAppOptions,
  type FunctionError,
  type InvokeOptions,
  type InvokeResult,
  type LocalLambdaEvent,
  type LocalLambdaOptions,
  type WaitForOptions,
} from './local-lambda.js';
export { followApp, type FollowAppOptions, type FollowedApp, type Reload } from './follow-app.js';
