import type { ApiAnswer } from './api-request.js';

/** The three front ends cdk-local emulates in front of functions. */
export type FrontEnd = 'rest' | 'http' | 'url';

/** Why the front end answered by itself instead of with the function's response. */
export type FrontEndFailure =
  /** No route, method or stage for the request. */
  | 'not-found'
  /** The function failed (an unhandled error, its own timeout, a crash). */
  | 'function-error'
  /** The function answered with something that is not a valid response. */
  | 'malformed'
  /** The integration timeout (29 s REST, 30 s HTTP APIs, or the route's) passed first. */
  | 'integration-timeout'
  /** Lambda refused the invocation: the function's concurrency is full. */
  | 'throttled'
  /** The event is more than Lambda takes. */
  | 'payload-too-large'
  /** Lambda could not run the function at all (unsupported runtime, a closed emulator). */
  | 'rejected';

function json(statusCode: number, body: string, errorType?: string): ApiAnswer {
  return {
    statusCode,
    headers: [['Content-Type', 'application/json'], ...(errorType === undefined ? [] : ([['x-amzn-ErrorType', errorType]] as [string, string][]))],
    body: Buffer.from(body),
  };
}

/**
 * The answer the real front end gives when it cannot give the function's: status and body
 * exactly as the service sends them.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
 */
export function failureAnswer(frontEnd: FrontEnd, failure: FrontEndFailure): ApiAnswer {
  switch (frontEnd) {
    case 'rest':
      switch (failure) {
        case 'not-found':
          return json(403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException');
        case 'integration-timeout':
          return json(504, '{"message": "Endpoint request timed out"}');
        case 'payload-too-large':
          return json(413, '{"message":"Request Too Long"}');
        case 'throttled':
        case 'rejected':
          return json(500, '{"message": "Internal server error"}', 'InternalServerErrorException');
        case 'function-error':
        case 'malformed':
          return json(502, '{"message": "Internal server error"}', 'InternalServerErrorException');
      }
      break;
    case 'http':
      switch (failure) {
        case 'not-found':
          return json(404, '{"message":"Not Found"}');
        case 'integration-timeout':
          return json(503, '{"message":"Service Unavailable"}');
        case 'payload-too-large':
          return json(413, '{"message":"Request Entity Too Large"}');
        default:
          return json(500, '{"message":"Internal Server Error"}');
      }
    case 'url':
      switch (failure) {
        case 'throttled':
          return json(429, '{"Message":"Rate Exceeded."}');
        case 'payload-too-large':
          return json(413, '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}');
        case 'not-found':
          return json(404, '{"Message":null}');
        default:
          return { statusCode: 502, headers: [['Content-Type', 'text/plain']], body: Buffer.from('Internal Server Error') };
      }
  }
  return json(500, '{"message":"Internal Server Error"}');
}

/** The answer for an integration cdk-local does not emulate yet: 501, saying which. */
export function notImplementedAnswer(description: string): ApiAnswer {
  return json(501, JSON.stringify({ message: `cdk-local does not emulate ${description} yet` }));
}
