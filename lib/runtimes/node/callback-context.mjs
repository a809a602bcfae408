// The callback programming model of Lambda's Node.js 22 and earlier runtimes: the
// handler's `callback(err, result)`, `context.callbackWaitsForEmptyEventLoop`, and the
// deprecated `context.succeed/fail/done`. Only the first of these calls counts.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html#nodejs-handler-callback
import { resetBeforeExit, setBeforeExit } from './before-exit.mjs';
import { logError } from './console-patch.mjs';

/**
 * @typedef {object} InvocationReporter Posts the outcome of one invocation.
 * @property {(result: unknown) => Promise<unknown>} postResponse Throws, before posting,
 *   when the result cannot be serialised.
 * @property {(error: unknown) => Promise<unknown>} postError
 */

/**
 * @typedef {object} CallbackContext
 * @property {boolean} callbackWaitsForEmptyEventLoop
 * @property {(result?: unknown) => void} succeed
 * @property {(error?: unknown) => void} fail
 * @property {(error?: unknown, result?: unknown) => void} done
 */

/**
 * @typedef {object} CallbackKit
 * @property {(error?: unknown, result?: unknown) => void} callback The handler's third argument.
 * @property {CallbackContext} context The context's callback members; the invocation data is added later.
 * @property {() => void} markCompleted Makes later completions report "already done".
 */

/**
 * Builds the callback and the callback members of the context for one invocation.
 * @param {InvocationReporter} reporter
 * @param {() => void} scheduleNext Starts waiting for the next invocation.
 * @returns {CallbackKit}
 */
export function buildCallbackContext(reporter, scheduleNext) {
  let waitForEmptyEventLoop = true;
  let completed = false;

  /** @param {unknown} error */
  const postError = (error) => {
    logError('Invoke Error', error);
    reporter.postError(error).then(scheduleNext);
  };

  /** @param {unknown} result */
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    reporter.postResponse(result).then(scheduleNext);
  };

  /**
   * @param {unknown} [error]
   * @param {unknown} [result]
   */
  const callback = (error, result) => {
    resetBeforeExit();
    if (error !== undefined && error !== null) postError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    // The answer waits until the event loop is empty, then one more turn.
    else setBeforeExit(() => setImmediate(() => complete(result)));
  };

  /**
   * @param {unknown} [error]
   * @param {unknown} [result]
   */
  const done = (error, result) => {
    resetBeforeExit();
    if (error !== undefined && error !== null) postError(error);
    else complete(result);
  };

  let finished = false;
  /**
   * Only the first call of any of them counts. A call that throws (a result that cannot
   * be serialised) does not count, so the error it causes can still be reported.
   * @template {unknown[]} A
   * @param {(...args: A) => void} fn
   * @returns {(...args: A) => void}
   */
  const firstCallOnly =
    (fn) =>
    (...args) => {
      if (finished) return;
      fn(...args);
      finished = true;
    };

  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: firstCallOnly((/** @type {unknown} */ result) => done(null, result)),
    fail: firstCallOnly((/** @type {unknown} */ error) => (error === undefined || error === null ? done('handled') : done(error, null))),
    done: firstCallOnly(done),
  };

  return {
    callback: firstCallOnly(callback),
    context,
    markCompleted: () => {
      completed = true;
    },
  };
}
