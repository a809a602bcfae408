// HTTP to the Lambda Runtime API. Like AWS's client, every call goes through one
// keep-alive agent with a single socket, so /next, /response and /error share one
// connection and are sent strictly in order. No call has a timeout: /next may wait
// for hours and a streamed response may last the whole function timeout.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
import http from 'node:http';

const RUNTIME_PATH = '/2018-06-01/runtime';

/**
 * Header names, spelled as AWS spells them: the same as `RuntimeHeaders` of
 * lib/runtime-api/headers.ts (this file cannot import TypeScript; a test keeps them equal).
 */
export const Headers = Object.freeze({
  requestId: 'Lambda-Runtime-Aws-Request-Id',
  deadlineMs: 'Lambda-Runtime-Deadline-Ms',
  invokedFunctionArn: 'Lambda-Runtime-Invoked-Function-Arn',
  traceId: 'Lambda-Runtime-Trace-Id',
  clientContext: 'Lambda-Runtime-Client-Context',
  cognitoIdentity: 'Lambda-Runtime-Cognito-Identity',
  tenantId: 'Lambda-Runtime-Aws-Tenant-Id',
  functionErrorType: 'Lambda-Runtime-Function-Error-Type',
  functionErrorBody: 'Lambda-Runtime-Function-Error-Body',
  responseMode: 'Lambda-Runtime-Function-Response-Mode',
  xrayErrorCause: 'Lambda-Runtime-Function-XRay-Error-Cause',
});

// Errors that mean nothing answers at the Runtime API's address any more: the emulator
// that ran it is gone. A runtime client that got one cannot serve another invocation.
const LOST_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ENOTCONN']);
// A refused /next is tried again this many times, this far apart, before the API is given up.
const NEXT_ATTEMPTS = 3;
const NEXT_RETRY_DELAY_MS = 100;

/** The Runtime API cannot be reached: the runtime has nothing left to do but exit. */
export class RuntimeApiLost extends Error {
  /** @param {string} message @param {unknown} cause */
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'RuntimeApiLost';
  }
}

// The X-Ray cause rides in a header: only send one the server will surely accept.
const MAX_XRAY_CAUSE_LENGTH = 4096;
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;

/**
 * @typedef {object} NextInvocation
 * @property {string} body The event exactly as sent (JSON text).
 * @property {http.IncomingHttpHeaders} headers Lower-cased header names.
 */

/**
 * @typedef {object} PostOptions
 * @property {boolean} [ownConnection] Use a connection of its own instead of the shared
 *   one. For the last words of a dying process, which must not queue behind a pending
 *   /next or an open response stream (AWS's native client posts on its own connection too).
 */

/** Runtime API client for one runtime process. */
export class RuntimeClient {
  /**
   * @param {string} hostPort `AWS_LAMBDA_RUNTIME_API`: `host:port`, no scheme.
   * @param {{ concurrent?: boolean }} [options] `concurrent`: Lambda Managed Instances, where
   *   a `/next` stays open while other invocations post their answers: a connection each.
   */
  constructor(hostPort, options = {}) {
    const { hostname, port } = new URL(`http://${hostPort}`);
    /** @readonly */
    this.hostname = hostname.replace(/^\[(.*)\]$/, '$1');
    /** @readonly */
    this.port = port === '' ? 80 : parseInt(port, 10);
    /** @readonly */
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrent ? Infinity : 1 });
  }

  /**
   * Waits for the next invocation (GET /invocation/next). A connection refused is tried
   * again a few times; then, or when the connection is cut, it fails with
   * {@link RuntimeApiLost}.
   * @returns {Promise<NextInvocation>}
   */
  async nextInvocation() {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#requestNext();
      } catch (error) {
        const { code, reusedSocket } = /** @type {{ code?: string, reusedSocket?: boolean }} */ (error);
        if (code === undefined || !LOST_CONNECTION_CODES.has(code)) throw error;
        // A kept-alive connection the server closed meanwhile is worth a new one, once.
        const retry = code === 'ECONNREFUSED' || (attempt === 1 && reusedSocket === true);
        if (!retry || attempt >= NEXT_ATTEMPTS) {
          throw new RuntimeApiLost(`The Runtime API at ${this.hostname}:${this.port} is gone (${code})`, error);
        }
        await new Promise((resolve) => setTimeout(resolve, NEXT_RETRY_DELAY_MS * attempt));
      }
    }
  }

  /** @returns {Promise<NextInvocation>} */
  #requestNext() {
    return new Promise((resolve, reject) => {
      const request = http.request(
        { hostname: this.hostname, port: this.port, path: `${RUNTIME_PATH}/invocation/next`, method: 'GET', agent: this.agent },
        (response) => {
          /** @type {Buffer[]} */
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            if (response.statusCode !== 200) {
              reject(new Error(`Failed to get next invocation: the Runtime API answered HTTP ${response.statusCode}`));
              return;
            }
            resolve({ body: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
          });
        },
      );
      request.on('error', (error) => {
        /** @type {any} */ (error).reusedSocket = request.reusedSocket;
        reject(error);
      });
      request.end();
    });
  }

  /**
   * Posts a buffered result (POST /invocation/{id}/response).
   * @param {string} requestId
   * @param {string} body JSON text.
   * @returns {Promise<number | undefined>} The HTTP status, undefined when the request failed.
   */
  postInvocationResponse(requestId, body) {
    return this.#post(`${RUNTIME_PATH}/invocation/${encodeURIComponent(requestId)}/response`, body, {});
  }

  /**
   * Posts a function error (POST /invocation/{id}/error). Like AWS's Node.js client it
   * sends no `Lambda-Runtime-Function-Error-Type` header, only the JSON body.
   * @param {string} requestId
   * @param {import('./errors.mjs').RapidError} error
   * @param {string} xrayCause
   * @param {PostOptions} [options]
   */
  postInvocationError(requestId, error, xrayCause, options = {}) {
    /** @type {Record<string, string>} */
    const headers = {};
    if (xrayCause !== '' && xrayCause.length <= MAX_XRAY_CAUSE_LENGTH && HEADER_SAFE.test(xrayCause)) {
      headers[Headers.xrayErrorCause] = xrayCause;
    }
    const path = `${RUNTIME_PATH}/invocation/${encodeURIComponent(requestId)}/error`;
    return this.#post(path, JSON.stringify(error), headers, options);
  }

  /**
   * Posts an initialisation error (POST /init/error) with its type in
   * `Lambda-Runtime-Function-Error-Type`.
   * @param {import('./errors.mjs').RapidError} error
   * @param {PostOptions} [options]
   */
  postInitError(error, options = {}) {
    /** @type {Record<string, string>} */
    const headers = {};
    if (typeof error.errorType === 'string' && HEADER_SAFE.test(error.errorType)) {
      headers[Headers.functionErrorType] = error.errorType;
    }
    return this.#post(`${RUNTIME_PATH}/init/error`, JSON.stringify(error), headers, options);
  }

  /**
   * Starts a streamed response (POST /invocation/{id}/response, chunked, with error
   * trailers declared). Nothing goes on the wire before the first write or end, so the
   * Content-Type can still change until then.
   * @param {string} requestId
   * @returns {http.ClientRequest}
   */
  startResponseStream(requestId) {
    return http.request({
      hostname: this.hostname,
      port: this.port,
      path: `${RUNTIME_PATH}/invocation/${encodeURIComponent(requestId)}/response`,
      method: 'POST',
      agent: this.agent,
      headers: {
        [Headers.responseMode]: 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: `${Headers.functionErrorType}, ${Headers.functionErrorBody}`,
        'Content-Type': 'application/octet-stream',
      },
    });
  }

  /**
   * POSTs JSON text. Resolves with the status once the answer has been read; a failed
   * request resolves with undefined (the next /next reports a lost Runtime API).
   * @param {string} path
   * @param {string} body
   * @param {Record<string, string>} headers
   * @param {PostOptions} [options]
   * @returns {Promise<number | undefined>}
   */
  #post(path, body, headers, options = {}) {
    return new Promise((resolve) => {
      const request = http.request(
        {
          hostname: this.hostname,
          port: this.port,
          path,
          method: 'POST',
          agent: options.ownConnection ? false : this.agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
          response.on('error', () => resolve(undefined));
        },
      );
      request.on('error', () => resolve(undefined));
      request.end(body);
    });
  }
}
