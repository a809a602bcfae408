export type { InitOutcome, Invocation, InvocationResponse, PostedError, StreamCompletion } from './invocation.js';
export { RuntimeChannel, type InvocationChannel, type PendingInvocation, type Refusal, type RuntimePhase } from './runtime-channel.js';
export { ConcurrentRuntimeChannel } from './concurrent-channel.js';
export { MAX_RESPONSE_BYTES } from './runtime-routes.js';
export { closeAfterAnswer } from './close-after-answer.js';
export { buildRuntimeApi, startRuntimeApiServer, type RuntimeApiServer, type RuntimeApiServerOptions } from './server.js';
export {
  ExtensionRegistry,
  type ExtensionEvent,
  type ExtensionEventType,
  type ExtensionRegistryListener,
  type IdentifierError,
  type RegisteredExtension,
  type RegistrationError,
  type ShutdownReason,
} from './extension-registry.js';
export { registerExtensionRoutes, type ExtensionFunctionInfo } from './extension-routes.js';
export {
  BUFFERING_LIMITS,
  DEFAULT_FLUSH_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  LOGS_DROPPED_REASON,
  TelemetryHub,
  parseSubscriptionRequest,
  registerTelemetryRoutes,
  type BufferingConfig,
  type ParseSubscriptionResult,
  type ResolveHost,
  type RetryPolicy,
  type SubscribeOutcome,
  type SubscriptionApi,
  type SubscriptionRequest,
  type TelemetryCategory,
  type TelemetryDestination,
  type TelemetryEvent,
  type TelemetryFlushOptions,
  type TelemetryHubOptions,
  type TelemetryRoutesOptions,
  type TelemetrySubscriptionInfo,
} from './telemetry/index.js';
