import type { LogRecord } from '../environment/index.js';
import { isCdkLocalError } from '../errors.js';

/** Where the CLI writes; tests and the library may swap these. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Writes a log record to stderr, prefixed with the function's name when several run. */
export function writeLogRecord(streams: CliStreams, record: LogRecord, prefix?: string): void {
  const text = prefix === undefined ? record.text : record.text.replace(/^/gm, `${prefix} `);
  streams.stderr.write(`${text}\n`);
}

/** A one-line notice of cdk-local's own on stderr. */
export function writeNotice(streams: CliStreams, message: string): void {
  streams.stderr.write(`cdk-local: ${message}\n`);
}

/**
 * Prints an error of cdk-local's own: its message and cause; the stack only with
 * `--debug` or when the error was not expected.
 */
export function writeError(streams: CliStreams, error: unknown, debug: boolean): void {
  if (isCdkLocalError(error)) {
    streams.stderr.write(`cdk-local: ${error.message}\n`);
    const cause = error.cause;
    if (cause !== undefined) {
      const detail = cause instanceof Error ? (debug ? (cause.stack ?? cause.message) : cause.message) : String(cause);
      if (detail.trim() !== '') streams.stderr.write(`${detail.trimEnd()}\n`);
    }
    if (debug && error.stack !== undefined) streams.stderr.write(`${error.stack}\n`);
    return;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  streams.stderr.write(`cdk-local: unexpected error, please report it with this output:\n${stack}\n`);
}
