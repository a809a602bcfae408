// The response stream a streaming handler writes to: a chunked POST to
// /invocation/{id}/response opened right after /next. Each write goes to the socket as
// it is made; a failure is reported in the trailers. Loaded only for streaming handlers.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
import { InvalidStreamingOperation, toRapidResponse } from './errors.mjs';
import { Headers } from './runtime-client.mjs';

// The parts of the request a handler may use, as in Lambda: a writable, an emitter,
// setContentType. Not the request itself (no setHeader, no abort).
const FORWARDED_METHODS = /** @type {const} */ ([
  'cork',
  'destroy',
  'uncork',
  'addListener',
  'emit',
  'eventNames',
  'getMaxListeners',
  'listenerCount',
  'listeners',
  'off',
  'on',
  'once',
  'prependListener',
  'prependOnceListener',
  'rawListeners',
  'removeAllListeners',
  'removeListener',
  'setMaxListeners',
]);
const READ_ONLY_PROPERTIES = [
  'writableFinished',
  'writableObjectMode',
  'writableBuffer',
  'writableEnded',
  'writableNeedDrain',
  'writableHighWaterMark',
  'writableCorked',
  'writableLength',
];
const READ_WRITE_PROPERTIES = ['destroyed', 'writable'];

/**
 * @typedef {object} ResponseStreamKit
 * @property {any} responseStream What the handler gets as its second argument.
 * @property {Promise<Buffer>} responseDone Settles when the Runtime API has answered the POST.
 * @property {(error: unknown) => Promise<void>} fail Ends the stream with the error in
 *   its trailers; resolves once the Runtime API has answered (or the request failed).
 * @property {() => boolean} isInFlight Whether part of the response is on the wire and it has not ended.
 */

/**
 * A header value for any error type; the body (base64) carries the exact text.
 * @param {unknown} errorType
 */
function headerSafe(errorType) {
  return String(errorType).replace(/[^\t\x20-\x7e]/g, (character) => encodeURIComponent(character));
}

/**
 * Opens the response stream of one invocation.
 * @param {import('./runtime-client.mjs').RuntimeClient} client
 * @param {string} requestId
 * @returns {ResponseStreamKit}
 */
export function createResponseStream(client, requestId) {
  const request = client.startResponseStream(requestId);

  /** @type {Promise<Buffer>} */
  const responseDone = new Promise((resolve, reject) => {
    request.on('response', (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('aborted', () => reject(new Error('The Runtime API aborted the response stream')));
      response.on('error', reject);
      response.on('end', () => resolve(Buffer.concat(chunks)));
    });
    request.on('error', reject);
    // Destroyed before an answer came; after one, this changes nothing.
    request.on('close', () => reject(new Error('The response stream closed before the Runtime API answered')));
  });
  // Whoever awaits it sees the failure; an unobserved one must not crash the function.
  responseDone.catch(() => {});

  let written = false;
  /** @type {((write: (chunk: string | Uint8Array) => void) => void) | undefined} */
  let onBeforeFirstWrite;

  /** @type {Record<string, any>} */
  const responseStream = {};
  for (const method of FORWARDED_METHODS) responseStream[method] = request[method].bind(request);

  /**
   * Objects that are not strings or bytes are written as JSON.
   * @param {any} chunk
   * @param {any} [encoding]
   * @param {any} [callback]
   */
  responseStream.write = (chunk, encoding, callback) => {
    const data = typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk?.constructor === Uint8Array ? chunk : JSON.stringify(chunk);
    if (!written && typeof onBeforeFirstWrite === 'function') onBeforeFirstWrite((prelude) => request.write(prelude));
    const accepted = request.write(data, encoding, callback);
    written = true;
    return accepted;
  };
  /**
   * Lambda's stream passes only the first argument on: `end(chunk)` or `end(callback)`.
   * A chunk given to end() skips the JSON conversion and the prelude, as in Lambda.
   * @param {any} [chunkOrCallback]
   */
  responseStream.end = (chunkOrCallback) => {
    request.end(chunkOrCallback);
  };
  /** @param {string} contentType */
  responseStream.setContentType = (contentType) => {
    if (written) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    request.setHeader('Content-Type', contentType);
  };

  const target = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (request));
  for (const name of READ_ONLY_PROPERTIES) {
    Object.defineProperty(responseStream, name, { get: () => target[name], enumerable: true });
  }
  for (const name of READ_WRITE_PROPERTIES) {
    Object.defineProperty(responseStream, name, {
      get: () => target[name],
      set: (value) => {
        target[name] = value;
      },
      enumerable: true,
    });
  }
  Object.defineProperty(responseStream, '_onBeforeFirstWrite', {
    get: () => onBeforeFirstWrite,
    set: (value) => {
      onBeforeFirstWrite = value;
    },
  });

  /** @param {unknown} error */
  const fail = async (error) => {
    if (!request.destroyed) {
      const body = toRapidResponse(error);
      request.addTrailers({
        [Headers.functionErrorType]: headerSafe(body.errorType),
        [Headers.functionErrorBody]: Buffer.from(JSON.stringify(body)).toString('base64'),
      });
      request.end();
    }
    await responseDone.then(
      () => {},
      () => {},
    );
  };

  return {
    responseStream,
    responseDone,
    fail,
    isInFlight: () => request.headersSent && !request.writableEnded,
  };
}
