/**
 * Header names of the Lambda Runtime API, in one place. Written as AWS spells them;
 * Node lower-cases incoming names, so read them through {@link lowerCase}.
 */
export const RuntimeHeaders = {
  requestId: 'Lambda-Runtime-Aws-Request-Id',
  deadlineMs: 'Lambda-Runtime-Deadline-Ms',
  invokedFunctionArn: 'Lambda-Runtime-Invoked-Function-Arn',
  traceId: 'Lambda-Runtime-Trace-Id',
  clientContext: 'Lambda-Runtime-Client-Context',
  cognitoIdentity: 'Lambda-Runtime-Cognito-Identity',
  tenantId: 'Lambda-Runtime-Aws-Tenant-Id',
  functionErrorType: 'Lambda-Runtime-Function-Error-Type',
  functionErrorBody: 'Lambda-Runtime-Function-Error-Body',
  responseMode: 'Lambda-Runtime-Function-Response-Mode',
  xrayErrorCause: 'Lambda-Runtime-Function-XRay-Error-Cause',
} as const;

/** The lower-case form Node uses for an incoming header name. */
export function lowerCase(name: string): string {
  return name.toLowerCase();
}

/**
 * A JSON document (client context, Cognito identity) as a header value whose bytes are
 * its UTF-8 encoding, which is how AWS's runtime clients read these headers. Node writes a
 * header string one byte per character (latin1), so the UTF-8 bytes go in as such
 * characters. The few characters no header may carry are written as JSON allows instead:
 * line breaks, which valid JSON has only between tokens, become spaces; DEL, which it has
 * only inside strings, becomes `\u007f` (as would other control characters, which valid
 * JSON never has raw).
 */
export function jsonHeaderValue(json: string): string {
  const safe = json
    .replace(/[\r\n]/g, ' ')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(safe, 'utf8').toString('latin1');
}
