import type { ApiAnswer } from '../api-request.js';

/** Why an authorizer refused a request, in the words the answers are chosen by. */
export type Refusal =
  /** No identity, an identity that fails validation, an authorizer that failed with `Unauthorized`, a bad token. */
  | 'unauthorized'
  /** The policy denies the method explicitly. */
  | 'explicit-deny'
  /** The policy does not allow the method; an HTTP API authorizer said no. */
  | 'implicit-deny'
  /** The authorizer failed, or answered something that is not an authorizer's answer. */
  | 'authorizer-error'
  /** `AWS_IAM` without a signature. */
  | 'unsigned';

function json(statusCode: number, body: string, extra: readonly (readonly [string, string])[] = []): ApiAnswer {
  return { statusCode, headers: [['Content-Type', 'application/json'], ...extra], body: Buffer.from(body) };
}

/**
 * A REST API's answer when authorization fails: status, body and `x-amzn-ErrorType` as the
 * service sends them.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export function restRefusal(refusal: Refusal): ApiAnswer {
  switch (refusal) {
    case 'unauthorized':
      return json(401, '{"message":"Unauthorized"}', [['x-amzn-ErrorType', 'UnauthorizedException']]);
    case 'explicit-deny':
      return json(403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', [['x-amzn-ErrorType', 'AccessDeniedException']]);
    case 'implicit-deny':
      return json(403, '{"Message":"User is not authorized to access this resource"}', [['x-amzn-ErrorType', 'AccessDeniedException']]);
    case 'authorizer-error':
      return json(500, '{"message": null}', [['x-amzn-ErrorType', 'AuthorizerConfigurationException']]);
    case 'unsigned':
      return json(403, '{"message":"Missing Authentication Token"}', [['x-amzn-ErrorType', 'MissingAuthenticationTokenException']]);
  }
}

/**
 * An HTTP API's answer when authorization fails. A JWT authorizer's refusals also carry a
 * `www-authenticate` challenge.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export function httpRefusal(refusal: Refusal, challenge?: string): ApiAnswer {
  const extra: [string, string][] = challenge === undefined ? [] : [['www-authenticate', challenge]];
  switch (refusal) {
    case 'unauthorized':
      return json(401, '{"message":"Unauthorized"}', extra);
    case 'explicit-deny':
    case 'implicit-deny':
    case 'unsigned':
      return json(403, '{"message":"Forbidden"}', extra);
    case 'authorizer-error':
      return json(500, '{"message":"Internal Server Error"}');
  }
}

/** A function URL's answer to a request that an `AWS_IAM` URL refuses. */
export function urlRefusal(): ApiAnswer {
  return json(403, '{"Message":"Forbidden"}', [['x-amzn-ErrorType', 'AccessDeniedException']]);
}
