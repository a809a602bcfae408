/** The servers cdk-local runs in front of its functions. */
export {
  DEFAULT_MAX_ASYNC_PAYLOAD_BYTES,
  startLambdaServer,
  type AsyncRetryOptions,
  type InvocationListener,
  type InvocationSummary,
  type InvocationType,
  type LambdaApiOptions,
  type LambdaServer,
  type LambdaServerOptions,
} from './start-lambda/index.js';
export {
  describeGaps,
  startApi,
  type ApiEndpoint,
  type ApiRequestSummary,
  type ApiServer,
  type EndpointKind,
  type StartApiOptions,
} from './start-api/index.js';
