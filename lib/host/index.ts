export { MAX_SYNC_PAYLOAD_BYTES } from './function-host.js';
export {
  LocalLambda,
  type FromAppOptions,
  type FunctionError,
  type InvokeOptions,
  type InvokeResult,
  type StartRequest,
  type StartedInvocation,
  type LocalLambdaEvent,
  type LocalLambdaOptions,
  type WaitForOptions,
} from './local-lambda.js';
export { followApp, withUnstagedAssets, type FollowAppOptions, type FollowedApp, type Reload } from './follow-app.js';
export { resolveQualifier, routeAlias, type ResolvedQualifier } from './resolve-qualifier.js';
export { HOST_NAME, isSandboxConnection } from '../environment/index.js';
