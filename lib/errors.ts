/**
 * The one error class cdk-local throws for its own failures. A function's own failure is
 * never thrown: it is returned as data in an invoke result.
 */

/** Stable codes: programs may branch on them; messages may change. */
export const ErrorCodes = {
  /** The command line or an option is wrong. */
  USAGE: 'CDKL_USAGE',
  /** No function matches the name given. */
  FUNCTION_NOT_FOUND: 'CDKL_FUNCTION_NOT_FOUND',
  /** The function has no version or alias of the qualifier given. */
  QUALIFIER_NOT_FOUND: 'CDKL_QUALIFIER_NOT_FOUND',
  /** A tenant-isolated function was invoked without a tenant id, or another function with one. */
  TENANT_ID_MISMATCH: 'CDKL_TENANT_ID_MISMATCH',
  /** More than one function matches the name given. */
  FUNCTION_AMBIGUOUS: 'CDKL_FUNCTION_AMBIGUOUS',
  /** No API or function URL matches the name given to start-api. */
  API_NOT_FOUND: 'CDKL_API_NOT_FOUND',
  /** The function exists but cannot run locally (container image, Java, .NET, Ruby...). */
  UNSUPPORTED_FUNCTION: 'CDKL_UNSUPPORTED_FUNCTION',
  /** There is no cdk.json, no app in it, or no --app. */
  NO_APP: 'CDKL_NO_APP',
  /** The CDK app failed to synthesize. */
  SYNTH_FAILED: 'CDKL_SYNTH_FAILED',
  /** The cloud assembly could not be read. */
  ASSEMBLY_INVALID: 'CDKL_ASSEMBLY_INVALID',
  /** A function's code and layers unpack to more than Lambda allows. */
  CODE_TOO_LARGE: 'CDKL_CODE_TOO_LARGE',
  /** The event given to invoke is missing or not valid JSON. */
  INVALID_EVENT: 'CDKL_INVALID_EVENT',
  /** The --env-vars file is missing or malformed. */
  INVALID_ENV_VARS: 'CDKL_INVALID_ENV_VARS',
  /** A runtime executable (node, python3) or a bootstrap file is missing. */
  RUNTIME_NOT_FOUND: 'CDKL_RUNTIME_NOT_FOUND',
  /** The emulator could not start an environment (port, sandbox, file system). */
  ENVIRONMENT_FAILED: 'CDKL_ENVIRONMENT_FAILED',
  /** Every environment the function may have is busy (its reserved concurrency is reached). */
  TOO_MANY_REQUESTS: 'CDKL_TOO_MANY_REQUESTS',
  /** The invocation payload is larger than Lambda accepts. */
  REQUEST_TOO_LARGE: 'CDKL_REQUEST_TOO_LARGE',
  /** A wait for an event did not see it in time. */
  WAIT_TIMEOUT: 'CDKL_WAIT_TIMEOUT',
  /** The host or environment was used after close(). */
  CLOSED: 'CDKL_CLOSED',
  /** Nothing in the app invokes the function, or not the trigger asked for (`--trigger N`). */
  TRIGGER_NOT_FOUND: 'CDKL_TRIGGER_NOT_FOUND',
  /** Several things invoke the function and none was picked with `--trigger N`. */
  TRIGGER_AMBIGUOUS: 'CDKL_TRIGGER_AMBIGUOUS',
  /** A layer downloaded from Lambda does not match its CodeSha256. */
  LAYER_INVALID: 'CDKL_LAYER_INVALID',
  /** A profile's credentials could not be had (an expired SSO session, a role that cannot be assumed). */
  CREDENTIALS_FAILED: 'CDKL_CREDENTIALS_FAILED',
  /** The command was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) before it finished. */
  INTERRUPTED: 'CDKL_INTERRUPTED',
  /** --debug-port was given for a function whose debugger cannot be had (debugpy for Python). */
  DEBUGGER_NOT_FOUND: 'CDKL_DEBUGGER_NOT_FOUND',
} as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const BRAND = Symbol.for('cdk-local.CdkLocalError');

/** Options of {@link CdkLocalError}. */
export interface CdkLocalErrorOptions {
  /** The underlying error, shown by the CLI under the message. */
  readonly cause?: unknown;
}

/** An error of cdk-local itself, with a stable {@link ErrorCode}. */
export class CdkLocalError extends Error {
  /** The stable code of this error. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: CdkLocalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CdkLocalError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for a {@link CdkLocalError}, even one from another copy of this package. */
export function isCdkLocalError(value: unknown): value is CdkLocalError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
