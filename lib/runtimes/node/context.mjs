// The invocation data a handler sees: read from the /next headers and the function's
// environment variables, and assembled into the `context` object.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
import { Headers } from './runtime-client.mjs';

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
 * @param {string} name As AWS spells it.
 */
function headerValue(headers, name) {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A header that carries JSON as UTF-8 bytes (client context, Cognito identity), as AWS's
 * clients read it. Node's http hands header bytes over one character each (latin1).
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {string} name
 */
function utf8HeaderValue(headers, name) {
  const value = headerValue(headers, name);
  return value === undefined ? undefined : Buffer.from(value, 'latin1').toString('utf8');
}

/**
 * Reads the invocation headers of a /next answer.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {Invocation}
 */
export function readInvocation(headers) {
  const requestId = headerValue(headers, Headers.requestId);
  if (!requestId) throw new Error('invocation id is missing or invalid');
  return {
    requestId,
    deadlineMs: Number(headerValue(headers, Headers.deadlineMs)),
    invokedFunctionArn: headerValue(headers, Headers.invokedFunctionArn),
    traceId: headerValue(headers, Headers.traceId),
    clientContext: utf8HeaderValue(headers, Headers.clientContext),
    cognitoIdentity: utf8HeaderValue(headers, Headers.cognitoIdentity),
    tenantId: headerValue(headers, Headers.tenantId),
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
