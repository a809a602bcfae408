// Errors the runtime client raises, and how any thrown value becomes the JSON that
// Lambda's Node.js runtime posts to the Runtime API and prints in its logs.
import { types } from 'node:util';

/**
 * @typedef {object} RapidError The body of `/invocation/{id}/error` and `/init/error`.
 * @property {string} [errorType]
 * @property {string} [errorMessage]
 * @property {string[]} [trace]
 */

/** The user's module (or something it requires) could not be found. */
export class ImportModuleError extends Error {}
/** The handler string names an export that is missing or not a function. */
export class HandlerNotFound extends Error {}
/** The handler string is not `path/module.export`. */
export class MalformedHandlerName extends Error {}
/** The user's module does not parse. */
export class UserCodeSyntaxError extends Error {}
/** A handler was marked for a streaming mode other than `response`. */
export class MalformedStreamingHandler extends Error {}
/** The response stream was used in a way the service does not allow. */
export class InvalidStreamingOperation extends Error {}
/** Node.js 24 and later refuse `(event, context, callback)` handlers. */
export class CallbackHandlerDeprecated extends Error {}
/** Node.js 24 and later name the error of a result JSON cannot represent. */
export class JSONStringifyError extends Error {}

/** The event loop emptied while an async handler's promise was still pending. */
export class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

/** A promise rejection nobody handled, as the process-level listener saw it. */
export class UnhandledPromiseRejection extends Error {
  /**
   * @param {unknown} reason
   * @param {Promise<unknown>} [promise]
   */
  constructor(reason, promise) {
    super(describe(reason));
    this.reason = reason;
    this.promise = promise;
  }
}

// Lambda names its own errors `Runtime.<Class>`; the stack's first line shows it too.
for (const ErrorClass of [
  ImportModuleError,
  HandlerNotFound,
  MalformedHandlerName,
  UserCodeSyntaxError,
  MalformedStreamingHandler,
  InvalidStreamingOperation,
  CallbackHandlerDeprecated,
  JSONStringifyError,
  NodeJsExit,
  UnhandledPromiseRejection,
]) {
  ErrorClass.prototype.name = `Runtime.${ErrorClass.name}`;
}

/**
 * `String(value)`, except for values (a Symbol) that refuse to become strings.
 * @param {unknown} value
 */
function describe(value) {
  try {
    return String(value);
  } catch {
    return '';
  }
}

/**
 * Whether a value quacks like an Error (errors from another realm, or hand-made).
 * @param {any} value
 */
function isErrorLike(value) {
  return (
    Boolean(value) &&
    typeof value.name === 'string' &&
    value.name !== '' &&
    typeof value.message === 'string' &&
    value.message !== '' &&
    typeof value.stack === 'string' &&
    value.stack !== ''
  );
}

/**
 * The 0x7F (DEL) character is not allowed in the Runtime API's JSON; AWS's client
 * percent-encodes it.
 * @param {string} text
 */
function escapeDel(text) {
  return text.replaceAll('\x7F', '%7F');
}

/**
 * Any thrown value as the `{errorType, errorMessage, trace}` body the Runtime API gets.
 * Non-errors become `{errorType: typeof value, errorMessage: String(value), trace: []}`.
 * @param {any} error
 * @returns {RapidError}
 */
export function toRapidResponse(error) {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll('\x7F', '%7F'),
        errorMessage: error.message?.replaceAll('\x7F', '%7F'),
        // A native error whose stack was deleted lands in the catch below, as in AWS's client.
        trace: error.stack.replaceAll('\x7F', '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/**
 * An Error for any thrown value, so it can be logged with a stack.
 * @param {unknown} error
 * @returns {Error}
 */
export function intoError(error) {
  return error instanceof Error ? error : new Error(describe(error));
}

/**
 * JSON.stringify replacer that shows an Error's name, message, code, own properties
 * and stack lines (they are not enumerable, so JSON would drop them).
 * @param {string} _key
 * @param {unknown} value
 */
function errorFieldsReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  /** @type {Record<string, unknown>} */
  const fields = {
    errorType: value.name,
    errorMessage: value.message,
    code: /** @type {{code?: unknown}} */ (value).code,
    ...value,
  };
  if (typeof value.stack === 'string') fields.stack = value.stack.split('\n');
  return fields;
}

/**
 * An error as the text log format prints it after "Invoke Error" and the like:
 * a tab, then one line of JSON.
 * @param {Error} error
 */
export function toFormatted(error) {
  try {
    return `\t${JSON.stringify(error, errorFieldsReplacer)}`;
  } catch {
    return `\t${JSON.stringify(toRapidResponse(error))}`;
  }
}

/**
 * The `Lambda-Runtime-Function-XRay-Error-Cause` document for an error: the working
 * directory, the exception with its parsed stack frames, and the files involved.
 * Empty when it cannot be built.
 * @param {any} error
 */
export function formatXRayCause(error) {
  try {
    const frames = [];
    if (error.stack) {
      const lines = escapeDel(String(error.stack)).split('\n').slice(1);
      for (const line of lines) {
        const frame = line.trim().replace(/[()]/g, '').replace(/^\S+\s/, '');
        const lastSpace = frame.lastIndexOf(' ');
        const label = lastSpace >= 0 ? frame.slice(0, lastSpace) : '';
        const location = (label === '' ? frame : frame.slice(lastSpace + 1)).split(':');
        frames.push({ path: location[0], line: parseInt(location[1] ?? '', 10), label: label || 'anonymous' });
      }
    }
    return JSON.stringify({
      working_directory: process.cwd(),
      exceptions: [
        {
          type: typeof error.name === 'string' ? escapeDel(error.name) : error.name,
          message: typeof error.message === 'string' ? escapeDel(error.message) : error.message,
          stack: frames,
        },
      ],
      paths: [...new Set(frames.map((frame) => frame.path))],
    });
  } catch {
    return '';
  }
}
