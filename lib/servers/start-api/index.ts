/** `cdk-local start-api`: the app's API Gateway APIs and function URLs, served as the service serves them. */
export { startApi, describeGaps, type ApiEndpoint, type ApiServer, type EndpointKind, type StartApiOptions } from './start-api.js';
export type { ApiRequestSummary } from './serve-endpoint.js';
