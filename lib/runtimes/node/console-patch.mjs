// Replaces console.* with Lambda's log format: text lines
// `<ISO time>\t<requestId>\t<LEVEL>\t<message>` or one JSON object per line, written to
// stdout (or framed on the telemetry fd when the platform passes one).
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { intoError, toFormatted } from './errors.mjs';

/** @typedef {{name: string, priority: number, tlvMask: number}} LogLevel */
/** @typedef {(level: LogLevel, message?: unknown, ...params: unknown[]) => void} LogWriter */

const LEVELS = Object.freeze({
  TRACE: { name: 'TRACE', priority: 1, tlvMask: 0b00100 },
  DEBUG: { name: 'DEBUG', priority: 2, tlvMask: 0b01000 },
  INFO: { name: 'INFO', priority: 3, tlvMask: 0b01100 },
  WARN: { name: 'WARN', priority: 4, tlvMask: 0b10000 },
  ERROR: { name: 'ERROR', priority: 5, tlvMask: 0b10100 },
  FATAL: { name: 'FATAL', priority: 6, tlvMask: 0b11000 },
});

// Kept on the global object under the same symbols as AWS's client, where tools look for them.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');
/** @type {Record<symbol, string | undefined>} */
const store = /** @type {any} */ (globalThis);

// Frame types of the telemetry log fd: a 16-byte header, then the record.
const FRAME_JSON = 0xa55a0002;
const FRAME_TEXT = 0xa55a0003;

let logErrorAsJson = false;

/**
 * The request id (and tenant id) the next log lines carry. Lambda never clears them:
 * lines written between invocations carry the last request id, and before the first
 * one the text format prints `undefined`.
 * @param {string} requestId
 * @param {string | undefined} tenantId
 */
export function setLoggingContext(requestId, tenantId) {
  store[REQUEST_ID] = requestId;
  store[TENANT_ID] = tenantId;
}

/**
 * Errors inside logged values become `{errorType, errorMessage, stackTrace, ...own}`.
 * @param {string} _key
 * @param {unknown} value
 */
function jsonErrorReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  return {
    errorType: value.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
}

/**
 * One JSON log record. A single argument is kept as a value (an object stays an
 * object); several are formatted like the text format, plus the first Error's fields.
 * @param {string} timestamp
 * @param {LogLevel} level
 * @param {unknown[]} args
 */
function formatJsonRecord(timestamp, level, args) {
  /** @type {Record<string, unknown>} */
  const record = { timestamp, level: level.name, requestId: store[REQUEST_ID] };
  const tenantId = store[TENANT_ID];
  if (tenantId !== undefined && tenantId !== null) record.tenantId = tenantId;
  if (args.length === 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = format(args[0]);
      return JSON.stringify(record);
    }
  }
  record.message = format(...args);
  const error = args.find((arg) => arg instanceof Error);
  if (error instanceof Error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

/**
 * @param {string} timestamp
 * @param {LogLevel} level
 * @param {unknown[]} args
 */
function formatTextRecord(timestamp, level, args) {
  return `${timestamp}\t${store[REQUEST_ID]}\t${level.name}\t${format(...args)}`;
}

/**
 * A writer of stdout lines. Newlines inside a record become '\r' so that every record
 * is exactly one line, as in CloudWatch.
 * @param {boolean} json
 * @returns {LogWriter}
 */
function stdoutWriter(json) {
  const formatRecord = json ? formatJsonRecord : formatTextRecord;
  return (level, ...args) => {
    const line = formatRecord(new Date().toISOString(), level, args);
    process.stdout.write(`${line.replace(/\n/g, '\r')}\n`);
  };
}

/**
 * A writer of framed records to the telemetry log fd: type|level, length, timestamp in
 * microseconds (big-endian), then the record with its newlines intact.
 * @param {number} fd
 * @param {boolean} json
 * @returns {LogWriter}
 */
function telemetryFdWriter(fd, json) {
  const header = Buffer.alloc(16);
  return (level, ...args) => {
    const now = new Date();
    const timestamp = now.toISOString();
    const record = json ? formatJsonRecord(timestamp, level, args) : `${formatTextRecord(timestamp, level, args)}\n`;
    const bytes = Buffer.from(record, 'utf8');
    header.writeUInt32BE(((json ? FRAME_JSON : FRAME_TEXT) | level.tlvMask) >>> 0, 0);
    header.writeInt32BE(bytes.length, 4);
    header.writeBigInt64BE(BigInt(now.valueOf()) * 1000n, 8);
    writeSync(fd, header);
    writeSync(fd, bytes);
  };
}

/** @param {unknown[]} _args */
function discard(..._args) {}

/**
 * Makes writes to stdout and stderr block until the reader has them. Lambda's runtime
 * writes its records synchronously (to the telemetry fd), so every line written before
 * the answer belongs to that invocation; Node would buffer pipe writes in the process,
 * where they wait out a freeze or die with a killed environment.
 */
export function writeOutputSynchronously() {
  for (const stream of [process.stdout, process.stderr]) {
    /** @type {any} */ (stream)._handle?.setBlocking?.(true);
  }
}

/**
 * Patches console.trace/debug/info/log/warn/error and adds console.fatal, reading
 * `AWS_LAMBDA_LOG_FORMAT` (`JSON`, else text) and `AWS_LAMBDA_LOG_LEVEL` (levels below
 * it are dropped; unset means everything). console.log is INFO; console.fatal is never
 * dropped. Other console methods (dir, table, ...) write through the originals.
 * @param {NodeJS.ProcessEnv} env
 */
export function patchConsole(env) {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  logErrorAsJson = json;
  const telemetryFd = env._LAMBDA_TELEMETRY_LOG_FD;
  /** @type {LogWriter} */
  let write;
  if (telemetryFd !== undefined) {
    // The fd is the runtime's alone: child processes must not inherit the variable.
    delete env._LAMBDA_TELEMETRY_LOG_FD;
    write = telemetryFdWriter(parseInt(telemetryFd, 10), json);
  } else {
    write = stdoutWriter(json);
  }
  const requested = env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? '';
  const threshold = Object.hasOwn(LEVELS, requested) ? LEVELS[/** @type {keyof typeof LEVELS} */ (requested)] : LEVELS.TRACE;

  /** @param {LogLevel} level */
  const writerFor = (level) =>
    level.priority >= threshold.priority
      ? (/** @type {unknown} */ message, /** @type {unknown[]} */ ...params) => write(level, message, ...params)
      : discard;

  const target = /** @type {any} */ (console);
  target.trace = writerFor(LEVELS.TRACE);
  target.debug = writerFor(LEVELS.DEBUG);
  target.info = writerFor(LEVELS.INFO);
  target.log = target.info;
  target.warn = writerFor(LEVELS.WARN);
  target.error = writerFor(LEVELS.ERROR);
  target.fatal = (/** @type {unknown} */ message, /** @type {unknown[]} */ ...params) => write(LEVELS.FATAL, message, ...params);
}

/**
 * Logs an error the runtime caught ("Invoke Error", "Uncaught Exception", ...) through
 * console.error: in text, the label and the error as JSON; in JSON, the error itself.
 * @param {string} label
 * @param {unknown} error
 */
export function logError(label, error) {
  if (logErrorAsJson) console.error(intoError(error));
  else console.error(label, toFormatted(intoError(error)));
}
