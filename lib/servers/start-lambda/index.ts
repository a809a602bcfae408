/** `cdk-local start-lambda`: the Lambda Invoke API over HTTP, for SDKs, the AWS CLI and tests. */
export { startLambdaServer, type LambdaServer, type LambdaServerOptions } from './start-lambda-server.js';
export { DEFAULT_MAX_ASYNC_PAYLOAD_BYTES, type LambdaApiOptions } from './build-lambda-api.js';
export type { AsyncRetryOptions } from './async-invoker.js';
export type { InvocationSummary, InvocationListener } from './invocation-summary.js';
export type { InvocationType } from './lambda-headers.js';
