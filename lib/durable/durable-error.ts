/**
 * A refusal of the durable execution service, as its API answers it: the HTTP status and the
 * exception name the AWS SDKs turn into their exception classes. The Invoke API's server turns
 * it into its own error shape.
 */
export class DurableApiError extends Error {
  readonly statusCode: number;
  /** The exception name, e.g. `InvalidParameterValueException`. */
  readonly errorType: string;
  /** How the service's model spells the body's message member. */
  readonly messageField: 'message' | 'Message';

  constructor(statusCode: number, errorType: string, message: string, messageField: 'message' | 'Message' = 'message') {
    super(message);
    this.name = errorType;
    this.statusCode = statusCode;
    this.errorType = errorType;
    this.messageField = messageField;
  }
}

/** 400 `InvalidParameterValueException`. */
export function invalidParameter(message: string): DurableApiError {
  return new DurableApiError(400, 'InvalidParameterValueException', message);
}

/** 404 `ResourceNotFoundException`. */
export function resourceNotFound(message: string): DurableApiError {
  return new DurableApiError(404, 'ResourceNotFoundException', message, 'Message');
}

/** 409 `DurableExecutionAlreadyStartedException`: the name is taken by an execution with another input. */
export function alreadyStarted(message: string): DurableApiError {
  return new DurableApiError(409, 'DurableExecutionAlreadyStartedException', message, 'Message');
}

/** 400 `CallbackTimeoutException`: the callback is no longer waited for. */
export function callbackTimedOut(message: string): DurableApiError {
  return new DurableApiError(400, 'CallbackTimeoutException', message, 'Message');
}
