// Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY set): several invocations at once in
// one process. As AWS's client does in each of its workers, the loop takes an event from
// /next, starts the handler on a later turn of the event loop without waiting for it, and
// asks for the next event at once; the Runtime API hands out at most AWS_LAMBDA_MAX_CONCURRENCY
// at a time. Each invocation runs in an AsyncLocalStorage context, so console lines carry
// its own request id; _X_AMZN_TRACE_ID is not set (it would be shared by all).
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-nodejs-runtime.html
import { AsyncLocalStorage } from 'node:async_hooks';
import { logError } from './console-patch.mjs';
import { buildContext, readInvocation } from './context.mjs';
import { JSONStringifyError, formatXRayCause, toRapidResponse } from './errors.mjs';
import { RuntimeApiLost } from './runtime-client.mjs';
import { EXIT_UNCAUGHT_EXCEPTION, EXIT_UNHANDLED_REJECTION, exitAfter, exitEmulatorGone } from './runtime.mjs';

// The symbols under which console-patch.mjs (and tools such as Powertools) read the current
// request id and tenant id: here they read the invocation of the code that asks.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');

/**
 * @typedef {object} ConcurrentRuntimeOptions
 * @property {import('./runtime-client.mjs').RuntimeClient} client
 * @property {Function} handler
 * @property {import('./handler-loader.mjs').HandlerMetadata} metadata
 * @property {import('./runtime.mjs').ErrorCallbacks} errorCallbacks
 * @property {typeof import('./streaming.mjs') | undefined} streaming Loaded for streaming handlers.
 * @property {NodeJS.ProcessEnv} env
 */

/**
 * @param {any} value
 * @returns {value is PromiseLike<unknown>}
 */
function isPromise(value) {
  return Boolean(value) && typeof value.then === 'function';
}

/** @param {unknown} result */
function serializeResult(result) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new JSONStringifyError('Unable to stringify response body');
  }
  if (text === undefined) throw new TypeError('Wrong arguments');
  return text;
}

/** Serves invocations of one handler, several at once, until the process ends. */
export class ConcurrentRuntime {
  /** @type {AsyncLocalStorage<{ requestId: string, tenantId: string | undefined }>} */
  #store = new AsyncLocalStorage();

  /** @param {ConcurrentRuntimeOptions} options */
  constructor(options) {
    /** @readonly */
    this.client = options.client;
    /** @readonly */
    this.handler = options.handler;
    /** @readonly */
    this.metadata = options.metadata;
    /** @readonly */
    this.streaming = options.streaming;
    // A copy: the context reads the function's variables from it, and may set _X_AMZN_TRACE_ID there, not in process.env.
    /** @readonly */
    this.contextEnv = { ...options.env };
    const store = this.#store;
    for (const [symbol, field] of /** @type {const} */ ([
      [REQUEST_ID, 'requestId'],
      [TENANT_ID, 'tenantId'],
    ])) {
      Object.defineProperty(globalThis, symbol, { configurable: true, get: () => store.getStore()?.[field], set: () => undefined });
    }
    // A fatal error cannot be told apart by invocation here: it ends the process, and the
    // environment fails every invocation under way (Runtime.ExitError).
    options.errorCallbacks.uncaughtException = () => exitAfter(Promise.resolve(), EXIT_UNCAUGHT_EXCEPTION);
    options.errorCallbacks.unhandledRejection = () => exitAfter(Promise.resolve(), EXIT_UNHANDLED_REJECTION);
  }

  /** Takes events from /next for as long as the process lives. */
  async start() {
    for (;;) {
      let next;
      try {
        next = await this.client.nextInvocation();
      } catch (error) {
        if (error instanceof RuntimeApiLost) exitEmulatorGone(error.message);
        throw error;
      }
      setImmediate(() => {
        void this.#serve(next);
      });
    }
  }

  /** @param {import('./runtime-client.mjs').NextInvocation} next */
  async #serve(next) {
    const invocation = readInvocation(next.headers);
    await this.#store.run({ requestId: invocation.requestId, tenantId: invocation.tenantId }, async () => {
      if (this.streaming !== undefined) {
        await this.#serveStreaming(this.streaming, invocation, next.body);
        return;
      }
      try {
        const result = await this.#callHandler(invocation, next.body);
        await this.client.postInvocationResponse(invocation.requestId, serializeResult(result));
      } catch (error) {
        logError('Invoke Error', error);
        await this.client.postInvocationError(invocation.requestId, toRapidResponse(error), formatXRayCause(error));
      }
    });
  }

  /**
   * The handler's answer: its value, awaited; a callback handler's (Node.js 22) callback or
   * `context.succeed/fail/done` settle it too, without waiting for an empty event loop.
   * @param {import('./context.mjs').Invocation} invocation
   * @param {string} body
   */
  #callHandler(invocation, body) {
    return new Promise((resolve, reject) => {
      /** @param {unknown} error @param {unknown} [result] */
      const callback = (error, result) => (error === null || error === undefined ? resolve(result) : reject(error));
      const base = { callbackWaitsForEmptyEventLoop: false, succeed: resolve, fail: reject, done: callback };
      const context = buildContext(base, invocation, this.contextEnv);
      const result = this.handler(JSON.parse(body), context, callback);
      if (isPromise(result)) Promise.resolve(result).then(resolve, reject);
      else if (this.metadata.argsNum < 3) resolve(result);
    });
  }

  /**
   * @param {typeof import('./streaming.mjs')} streaming
   * @param {import('./context.mjs').Invocation} invocation
   * @param {string} body
   */
  async #serveStreaming(streaming, invocation, body) {
    const stream = streaming.createResponseStream(this.client, invocation.requestId);
    try {
      const context = buildContext({}, invocation, this.contextEnv);
      const result = this.handler(JSON.parse(body), stream.responseStream, context);
      if (!isPromise(result)) throw new Error('Streaming does not support non-async handlers.');
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      await stream.responseDone;
      if (!stream.responseStream.writableFinished) throw new Error('Response stream is not finished.');
    } catch (error) {
      logError('Invoke Error', error);
      await stream.fail(error);
    }
  }
}
