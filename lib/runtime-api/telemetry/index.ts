export type { ConnectToSandbox, ResolveHost } from './batch-sender.js';
export { DEFAULT_RETRY_POLICY, LOGS_DROPPED_REASON, type RetryPolicy } from './subscriber.js';
export {
  BUFFERING_LIMITS,
  parseSubscriptionRequest,
  type BufferingConfig,
  type ParseSubscriptionResult,
  type SubscriptionApi,
  type SubscriptionRequest,
  type TelemetryDestination,
} from './subscription-request.js';
export { TELEMETRY_CATEGORIES, categoryOf, type TelemetryCategory, type TelemetryEvent } from './telemetry-event.js';
export {
  DEFAULT_FLUSH_TIMEOUT_MS,
  TelemetryHub,
  type SubscribeOutcome,
  type TelemetryFlushOptions,
  type TelemetryHubOptions,
  type TelemetrySubscriptionInfo,
} from './telemetry-hub.js';
export { registerTelemetryRoutes, type TelemetryRoutesOptions } from './telemetry-routes.js';
