import { ErrorCodes, isCdkLocalError } from '../../errors.js';

/**
 * An error of the Lambda service as its API answers it: a status code, the error type in
 * `x-amzn-ErrorType`, and a JSON body `{"Type":"User","message":"..."}`. The AWS SDKs read
 * the type from the header and build the matching exception class.
 */
export class ServiceError extends Error {
  /** The HTTP status code. */
  readonly statusCode: number;
  /** The exception name, e.g. `ResourceNotFoundException`. */
  readonly errorType: string;
  /** `User` for the caller's mistakes, `Service` for the service's own. */
  readonly kind: 'User' | 'Service';
  /**
   * The body's name for the message: the service's API model spells it `Message` for some
   * exceptions (ResourceNotFoundException, ServiceException) and `message` for others.
   */
  readonly messageField: 'message' | 'Message';
  /** More fields of the body, e.g. `Reason` of TooManyRequestsException. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    errorType: string,
    message: string,
    options: { kind?: 'User' | 'Service'; messageField?: 'message' | 'Message'; fields?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = errorType;
    this.statusCode = statusCode;
    this.errorType = errorType;
    this.kind = options.kind ?? (statusCode >= 500 ? 'Service' : 'User');
    this.messageField = options.messageField ?? 'message';
    this.fields = options.fields ?? {};
  }

  /** The JSON body the service sends. */
  toJSON(): Record<string, string> {
    return { Type: this.kind, [this.messageField]: this.message, ...this.fields };
  }
}

/** 404 `ResourceNotFoundException`, as Lambda words it for a function it does not have. */
export function functionNotFound(arn: string, hint?: string): ServiceError {
  return new ServiceError(404, 'ResourceNotFoundException', `Function not found: ${arn}${hint === undefined ? '' : `. ${hint}`}`, {
    messageField: 'Message',
  });
}

/** 400 `InvalidRequestContentException`. */
export function invalidRequestContent(message: string): ServiceError {
  return new ServiceError(400, 'InvalidRequestContentException', message);
}

/** 400 `InvalidParameterValueException`. */
export function invalidParameterValue(message: string): ServiceError {
  return new ServiceError(400, 'InvalidParameterValueException', message);
}

/** 400 `ValidationException`: a parameter broke the API model's constraints (length, pattern). */
export function validationError(message: string): ServiceError {
  return new ServiceError(400, 'ValidationException', message);
}

/** 413 `RequestTooLargeException` for an event over `limitBytes`. */
export function requestTooLarge(limitBytes: number, operation: string): ServiceError {
  return new ServiceError(413, 'RequestTooLargeException', `Request must be smaller than ${limitBytes} bytes for the ${operation} operation`);
}

/**
 * Turns an error of cdk-local into the service error a caller of the Invoke API gets.
 * `reserved` says whether the function has reserved concurrency, which decides the
 * throttling reason Lambda gives.
 */
export function toServiceError(error: unknown, reserved = false): ServiceError {
  if (error instanceof ServiceError) return error;
  if (!isCdkLocalError(error)) {
    return new ServiceError(500, 'ServiceException', `cdk-local failed: ${error instanceof Error ? error.message : String(error)}`, { messageField: 'Message' });
  }
  switch (error.code) {
    case ErrorCodes.TOO_MANY_REQUESTS:
      return new ServiceError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
        fields: { Reason: reserved ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded' },
      });
    case ErrorCodes.REQUEST_TOO_LARGE:
      return new ServiceError(413, 'RequestTooLargeException', error.message);
    case ErrorCodes.FUNCTION_NOT_FOUND:
      return new ServiceError(404, 'ResourceNotFoundException', error.message, { messageField: 'Message' });
    case ErrorCodes.QUALIFIER_NOT_FOUND:
      return new ServiceError(404, 'ResourceNotFoundException', error.message, { messageField: 'Message' });
    case ErrorCodes.FUNCTION_AMBIGUOUS:
    case ErrorCodes.TENANT_ID_MISMATCH:
      return invalidParameterValue(error.message);
    case ErrorCodes.UNSUPPORTED_FUNCTION:
    case ErrorCodes.RUNTIME_NOT_FOUND:
      // The service's word for a runtime it cannot run.
      return new ServiceError(502, 'InvalidRuntimeException', error.message, { messageField: 'Message' });
    default:
      return new ServiceError(500, 'ServiceException', error.message, { messageField: 'Message' });
  }
}

/** True when a cdk-local error means the function is throttled. */
export function isThrottled(error: unknown): boolean {
  return isCdkLocalError(error) && error.code === ErrorCodes.TOO_MANY_REQUESTS;
}
