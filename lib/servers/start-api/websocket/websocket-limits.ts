/**
 * API Gateway's WebSocket quotas, as cdk-local enforces them.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html#apigateway-execution-service-websocket-limits-table
 */

/** A connection with no message either way for 10 minutes is closed (U.124). */
export const WEBSOCKET_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** A connection lasts at most 2 hours. */
export const WEBSOCKET_MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
/** A message (and a PostToConnection payload) is at most 128 KB (U.125); the 32 KB frame limit is not enforced. */
export const WEBSOCKET_MAX_MESSAGE_BYTES = 128 * 1024;
