/**
 * Header names of the Lambda Invoke API, in one place, spelled as AWS spells them. Node
 * lower-cases incoming names: read them with `.toLowerCase()`.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const LambdaHeaders = {
  invocationType: 'X-Amz-Invocation-Type',
  logType: 'X-Amz-Log-Type',
  clientContext: 'X-Amz-Client-Context',
  logResult: 'X-Amz-Log-Result',
  functionError: 'X-Amz-Function-Error',
  executedVersion: 'X-Amz-Executed-Version',
  requestId: 'x-amzn-RequestId',
  errorType: 'x-amzn-ErrorType',
  traceId: 'X-Amzn-Trace-Id',
  tenantId: 'X-Amz-Tenant-Id',
  durableExecutionName: 'X-Amz-Durable-Execution-Name',
  durableExecutionArn: 'X-Amz-Durable-Execution-Arn',
} as const;

/** The values of `X-Amz-Invocation-Type`. */
export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** The unpublished version, which an unqualified invocation runs. */
export const LATEST_VERSION = '$LATEST';
