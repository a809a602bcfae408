// The `awslambda` global Lambda's Node.js runtime gives user code: streamifyResponse()
// and HttpResponseStream. It exists before the handler module loads, because handlers
// call `awslambda.streamifyResponse(...)` at import time.
// https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html

/** Marks a handler as streaming; its value is the streaming mode. */
export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** The highWaterMark a streaming handler asked for. */
export const HANDLER_HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
/** The only streaming mode there is. */
export const STREAM_RESPONSE = 'response';

const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_BYTES = 8;

/**
 * @typedef {object} HttpPrelude What a function URL (or API) should answer with.
 * @property {number} [statusCode]
 * @property {Record<string, string>} [headers]
 * @property {string[]} [cookies]
 */

/**
 * Wraps a response stream in the `application/vnd.awslambda.http-integration-response`
 * format: a JSON prelude, 8 NUL bytes, then the body.
 */
export class HttpResponseStream {
  /**
   * Sets the content type and arranges for the prelude to be written before the first
   * chunk. As in Lambda, the prelude goes out on the first `write()`: a stream ended
   * with `end(body)` and no write carries no prelude
   * (https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/97).
   * @template {{setContentType(type: string): void, _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void}} S
   * @param {S} responseStream
   * @param {HttpPrelude} prelude
   * @returns {S}
   */
  static from(responseStream, prelude) {
    responseStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    // The prelude must not contain a NUL byte: JSON text never does.
    const metadata = JSON.stringify(prelude);
    responseStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return responseStream;
  }
}

/**
 * Defines `globalThis.awslambda`, unless `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA` is
 * `1` or `true`.
 * @param {NodeJS.ProcessEnv} env
 */
export function installAwsLambdaGlobal(env) {
  const optOut = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (optOut === '1' || optOut === 'true') return;
  /** @type {any} */ (globalThis).awslambda = {
    .../** @type {any} */ (globalThis).awslambda,
    /**
     * @template {Function} H
     * @param {H} handler
     * @param {{highWaterMark?: number}} [options]
     * @returns {H}
     */
    streamifyResponse(handler, options) {
      const marked = /** @type {any} */ (handler);
      marked[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        marked[HANDLER_HIGH_WATER_MARK] = Math.trunc(options.highWaterMark);
      }
      return handler;
    },
    HttpResponseStream,
  };
}
