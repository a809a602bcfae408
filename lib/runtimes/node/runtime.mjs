// The invoke loop: wait for /next, run the handler, post its outcome, repeat. Each
// iteration starts on a fresh turn of the event loop (setImmediate), as in AWS's client.
import { resetBeforeExit, setBeforeExit } from './before-exit.mjs';
import { buildCallbackContext } from './callback-context.mjs';
import { logError, setLoggingContext } from './console-patch.mjs';
import { buildContext, readInvocation } from './context.mjs';
import { JSONStringifyError, NodeJsExit, formatXRayCause, toRapidResponse } from './errors.mjs';
import { RuntimeApiLost } from './runtime-client.mjs';

/**
 * @typedef {object} ErrorCallbacks What the process-level listeners do with an
 *   uncaught exception or an unhandled rejection; replaced for each invocation.
 * @property {(error: unknown) => void} uncaughtException
 * @property {(error: unknown) => void} unhandledRejection
 */

/**
 * @typedef {object} RuntimeOptions
 * @property {import('./runtime-client.mjs').RuntimeClient} client
 * @property {Function} handler
 * @property {import('./handler-loader.mjs').HandlerMetadata} metadata
 * @property {ErrorCallbacks} errorCallbacks
 * @property {boolean} callbacksRemoved Node.js 24 and later: no callback, no
 *   succeed/fail/done, no waiting for an empty event loop; the handler's value (or
 *   promise) is the answer.
 * @property {typeof import('./streaming.mjs') | undefined} streaming Loaded for streaming handlers.
 * @property {NodeJS.ProcessEnv} env
 */

// Exit codes of AWS's client after it reported a fatal error.
export const EXIT_UNCAUGHT_EXCEPTION = 129;
export const EXIT_UNHANDLED_REJECTION = 128;
// cdk-local's: the emulator is gone (its Runtime API, or the pipe of stdout or stderr).
export const EXIT_EMULATOR_GONE = 1;

/**
 * Ends the process at once because the emulator that ran it is gone: nothing could
 * report or read anything any more, and an orphan must not linger.
 * @param {string} why
 */
export function exitEmulatorGone(why) {
  try {
    process.stderr.write(`cdk-local Node.js runtime: ${why}; exiting\n`);
  } catch {
    // stderr may be the broken pipe.
  }
  process.exit(EXIT_EMULATOR_GONE);
}

let exiting = false;

/**
 * Exits with `exitCode` once the last report has been posted (or failed). Later fatal
 * errors, while that report is under way, are not reported again.
 * @param {Promise<unknown>} reported
 * @param {number} exitCode
 */
export function exitAfter(reported, exitCode) {
  if (exiting) return;
  exiting = true;
  const exit = () => process.exit(exitCode);
  reported.then(exit, exit);
}

/**
 * @param {any} value
 * @returns {value is PromiseLike<unknown>}
 */
function isPromise(value) {
  return Boolean(value) && typeof value.then === 'function';
}

/**
 * A handler's result as the JSON text Lambda returns; undefined becomes `null`.
 * @param {unknown} result
 * @param {boolean} callbacksRemoved
 */
function serializeResult(result, callbacksRemoved) {
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw callbacksRemoved ? new JSONStringifyError('Unable to stringify response body') : new Error('Unable to stringify response body');
  }
  // A function or a symbol has no JSON text; AWS's native client refuses the missing body this way.
  if (text === undefined) throw new TypeError('Wrong arguments');
  return text;
}

/** Runs invocations of one handler until the process ends. */
export class Runtime {
  /** @param {RuntimeOptions} options */
  constructor(options) {
    /** @readonly */
    this.client = options.client;
    /** @readonly */
    this.handler = options.handler;
    /** @readonly */
    this.metadata = options.metadata;
    /** @readonly */
    this.errorCallbacks = options.errorCallbacks;
    /** @readonly */
    this.callbacksRemoved = options.callbacksRemoved;
    /** @readonly */
    this.streaming = options.streaming;
    /** @readonly */
    this.env = options.env;
  }

  /** Starts the next iteration at the beginning of the next turn of the event loop. */
  scheduleIteration() {
    setImmediate(() => {
      this.#handleOnce().catch((error) => {
        if (error instanceof RuntimeApiLost) exitEmulatorGone(error.message);
        // A failure of the runtime itself, not of the handler.
        console.log(`Unexpected Top Level Error: ${String(error)}`);
        this.errorCallbacks.uncaughtException(error);
      });
    });
  }

  #handleOnce() {
    if (this.streaming !== undefined) return this.#handleOnceStreaming(this.streaming);
    return this.callbacksRemoved ? this.#handleOnceAwaiting() : this.#handleOnceWithCallbacks();
  }

  /**
   * @param {string} requestId
   * @returns {import('./callback-context.mjs').InvocationReporter}
   */
  #reporterFor(requestId) {
    return {
      postResponse: (result) => this.client.postInvocationResponse(requestId, serializeResult(result, this.callbacksRemoved)),
      postError: (error) => this.client.postInvocationError(requestId, toRapidResponse(error), formatXRayCause(error)),
    };
  }

  /** Node.js 22 and earlier: callback, promise, or neither (the event loop decides). */
  async #handleOnceWithCallbacks() {
    const next = await this.client.nextInvocation();
    const invocation = readInvocation(next.headers);
    setLoggingContext(invocation.requestId, invocation.tenantId);
    const reporter = this.#reporterFor(invocation.requestId);
    const scheduleNext = () => this.scheduleIteration();
    const { callback, context, markCompleted } = buildCallbackContext(reporter, scheduleNext);

    try {
      this.#setErrorCallbacks(invocation.requestId, undefined);
      // A handler that neither calls back nor settles a promise ends when the event loop
      // is empty: an async one with Runtime.NodeJsExit, any other with a null result.
      setBeforeExit(() => {
        markCompleted();
        if (this.metadata.isAsync) {
          const error = new NodeJsExit();
          logError('Invoke Error', error);
          reporter.postError(error).then(scheduleNext);
        } else {
          this.client.postInvocationResponse(invocation.requestId, 'null').then(scheduleNext);
        }
      });
      const result = this.handler(JSON.parse(next.body), buildContext(context, invocation, this.env), callback);
      if (isPromise(result)) {
        // Whichever comes first, this or the callback, is the answer.
        Promise.resolve(result).then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (error) {
      callback(error);
    }
  }

  /** Node.js 24 and later: the handler's value, awaited, is the answer. */
  async #handleOnceAwaiting() {
    const next = await this.client.nextInvocation();
    const invocation = readInvocation(next.headers);
    setLoggingContext(invocation.requestId, invocation.tenantId);
    const reporter = this.#reporterFor(invocation.requestId);
    this.#setErrorCallbacks(invocation.requestId, undefined);
    try {
      const context = buildContext({}, invocation, this.env);
      const result = await this.handler(JSON.parse(next.body), context);
      await reporter.postResponse(result);
    } catch (error) {
      logError('Invoke Error', error);
      await reporter.postError(error);
    }
    this.scheduleIteration();
  }

  /**
   * A handler marked by `awslambda.streamifyResponse`: the response stream is opened
   * before it runs and must be ended by it.
   * @param {typeof import('./streaming.mjs')} streaming
   */
  async #handleOnceStreaming(streaming) {
    const next = await this.client.nextInvocation();
    const invocation = readInvocation(next.headers);
    setLoggingContext(invocation.requestId, invocation.tenantId);

    let waitForEmptyEventLoop = !this.callbacksRemoved;
    const base = this.callbacksRemoved
      ? {}
      : {
          get callbackWaitsForEmptyEventLoop() {
            return waitForEmptyEventLoop;
          },
          set callbackWaitsForEmptyEventLoop(value) {
            waitForEmptyEventLoop = value;
          },
        };
    const stream = streaming.createResponseStream(this.client, invocation.requestId);

    const scheduleNext = () => {
      resetBeforeExit();
      if (!waitForEmptyEventLoop) this.scheduleIteration();
      else setBeforeExit(() => setImmediate(() => this.scheduleIteration()));
    };
    /** @param {unknown} error */
    const fail = (error) => {
      logError('Invoke Error', error);
      stream.fail(error).then(scheduleNext);
    };

    try {
      this.#setErrorCallbacks(invocation.requestId, stream);
      if (!this.callbacksRemoved) setBeforeExit(() => this.scheduleIteration());
      const context = buildContext(base, invocation, this.env);
      const result = this.handler(JSON.parse(next.body), stream.responseStream, context);
      if (!isPromise(result)) {
        const message = 'Streaming does not support non-async handlers.';
        // AWS's older client reports the bare string (errorType "string").
        fail(this.callbacksRemoved ? new Error(message) : message);
        return;
      }
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      // As in Lambda, a stream the handler never ends keeps the invocation open until it times out.
      await stream.responseDone;
      if (!stream.responseStream.writableFinished) {
        fail('Response stream is not finished.');
        return;
      }
      scheduleNext();
    } catch (error) {
      fail(error);
    }
  }

  /**
   * From now on an uncaught exception or unhandled rejection fails this invocation and
   * ends the process, as in Lambda (which then reports Runtime.ExitError and starts a
   * new environment).
   * @param {string} requestId
   * @param {import('./streaming.mjs').ResponseStreamKit | undefined} stream
   */
  #setErrorCallbacks(requestId, stream) {
    /**
     * @param {unknown} error
     * @param {number} exitCode
     */
    const failAndExit = (error, exitCode) => {
      // A response already on the wire can only fail through its trailers; otherwise
      // the error is posted on a connection of its own, not behind a pending request.
      const reported =
        stream !== undefined && stream.isInFlight()
          ? stream.fail(error)
          : this.client.postInvocationError(requestId, toRapidResponse(error), formatXRayCause(error), { ownConnection: true });
      exitAfter(reported, exitCode);
    };
    this.errorCallbacks.uncaughtException = (error) => failAndExit(error, EXIT_UNCAUGHT_EXCEPTION);
    this.errorCallbacks.unhandledRejection = (error) => failAndExit(error, EXIT_UNHANDLED_REJECTION);
  }
}
