// The invocation data a handler sees: read from the /next headers and the function's
// environment variables, and assembled into the `context` object.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html

/**
 * @typedef {object} Invocation What one /next answer says about the invocation.
 * @property {string} requestId
 * @property {number} deadlineMs Epoch milliseconds.
 * @property {string | undefined} invokedFunctionArn
 * @property {string | undefined} traceId
 * @property {string | undefined} clientContext JSON text.
 * @property {string | undefined} cognitoIdentity JSON text.
 * @property {string | undefined} tenantId
 */

/**
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {string} name Lower-case.
 */
function headerValue(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads the invocation headers of a /next answer.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {Invocation}
 */
export function readInvocation(headers) {
  const requestId = headerValue(headers, 'lambda-runtime-aws-request-id');
  if (!requestId) throw new Error('invocation id is missing or invalid');
  return {
    requestId,
    deadlineMs: Number(headerValue(headers, 'lambda-runtime-deadline-ms')),
    invokedFunctionArn: headerValue(headers, 'lambda-runtime-invoked-function-arn'),
    traceId: headerValue(headers, 'lambda-runtime-trace-id'),
    clientContext: headerValue(headers, 'lambda-runtime-client-context'),
    cognitoIdentity: headerValue(headers, 'lambda-runtime-cognito-identity'),
    tenantId: headerValue(headers, 'lambda-runtime-aws-tenant-id'),
  };
}

/**
 * @param {string | undefined} text
 * @param {string} name
 */
function parseJsonHeader(text, name) {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot parse ${name} as json: ${String(error)}`);
  }
}

/**
 * Adds the invocation's data to `base` (which carries the callback members, when the
 * runtime has them) and returns it as the handler's context. Also sets
 * `_X_AMZN_TRACE_ID` for this invocation, or removes it when there is no trace id.
 * Throws when the client context or identity is not JSON.
 * @template {object} B
 * @param {B} base
 * @param {Invocation} invocation
 * @param {NodeJS.ProcessEnv} env
 */
export function buildContext(base, invocation, env) {
  if (invocation.traceId) env._X_AMZN_TRACE_ID = invocation.traceId;
  else delete env._X_AMZN_TRACE_ID;
  const { deadlineMs } = invocation;
  return Object.assign(base, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    // A string, as in Lambda.
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJsonHeader(invocation.clientContext, 'ClientContext'),
    identity: parseJsonHeader(invocation.cognitoIdentity, 'CognitoIdentity'),
    invokedFunctionArn: invocation.invokedFunctionArn,
    awsRequestId: invocation.requestId,
    tenantId: invocation.tenantId,
    getRemainingTimeInMillis() {
      return deadlineMs - Date.now();
    },
  });
}
