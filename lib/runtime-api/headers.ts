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
