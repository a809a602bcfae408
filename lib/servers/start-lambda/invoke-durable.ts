import type { FastifyReply, FastifyRequest } from 'fastify';
import { DURABLE_VERSION, type DurableExecution } from '../../durable/index.js';
import type { LambdaApiContext } from './lambda-api-context.js';
import { LambdaHeaders } from './lambda-headers.js';
import type { ParsedInvoke } from './invoke-routes.js';
import { invalidParameterValue, validationError } from './service-error.js';

/** A synchronous invocation of a durable function waits at most this long for the execution's end. */
const MAX_SYNC_DURABLE_SECONDS = 900;
const EXECUTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function readExecutionName(request: FastifyRequest): string | undefined {
  const raw = request.headers[LambdaHeaders.durableExecutionName.toLowerCase()];
  const name = Array.isArray(raw) ? raw[0] : raw;
  if (name === undefined || name === '') return undefined;
  if (!EXECUTION_NAME.test(name)) {
    throw validationError(`1 validation error detected: Value '${name}' at 'durableExecutionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64`);
  }
  return name;
}

/** The body and headers of a synchronous invocation's answer once the execution has ended. */
function answerEnded(reply: FastifyReply, execution: DurableExecution): FastifyReply {
  if (execution.status === 'SUCCEEDED') return reply.code(200).type('application/json').send(execution.result === undefined || execution.result === '' ? 'null' : execution.result);
  const error = execution.error ?? {};
  const errorType = error.ErrorType ?? (execution.status === 'TIMED_OUT' ? 'ExecutionTimedOut' : execution.status === 'STOPPED' ? 'ExecutionStopped' : 'Error');
  const body = {
    errorType,
    errorMessage: error.ErrorMessage ?? `The durable execution ended ${execution.status}.`,
    ...(error.StackTrace === undefined ? {} : { stackTrace: error.StackTrace }),
  };
  return reply.code(200).header(LambdaHeaders.functionError, 'Unhandled').type('application/json').send(JSON.stringify(body));
}

/**
 * Invoke of a durable function: a qualifier is required, as the service requires it; the call
 * starts an execution (or finds the one its `X-Amz-Durable-Execution-Name` names, with the same
 * input) and answers `X-Amz-Durable-Execution-Arn`. `Event` answers 202 at once;
 * `RequestResponse` waits for the execution's end, at most 15 minutes or the function's or the
 * execution's timeout if shorter.
 * https://docs.aws.amazon.com/lambda/latest/dg/durable-invoking.html
 */
export async function invokeDurable(request: FastifyRequest, reply: FastifyReply, context: LambdaApiContext, parsed: ParsedInvoke): Promise<FastifyReply> {
  const { spec, qualifier } = parsed.served;
  if (qualifier === undefined) throw invalidParameterValue('You cannot invoke a durable function using an unqualified ARN.');
  const name = readExecutionName(request);
  if (parsed.invocationType === 'DryRun') return reply.code(204).send();
  const { execution } = context.durable.start(spec, { payload: parsed.payload.toString('utf8'), qualifier, ...(name === undefined ? {} : { name }) });
  reply.header(LambdaHeaders.durableExecutionArn, execution.arn).header(LambdaHeaders.executedVersion, DURABLE_VERSION);
  if (parsed.invocationType === 'Event') return reply.code(202).send();

  const limitSeconds = Math.min(MAX_SYNC_DURABLE_SECONDS, spec.timeoutSeconds, spec.durable?.executionTimeoutSeconds ?? MAX_SYNC_DURABLE_SECONDS);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), limitSeconds * 1000);
  // A caller that hangs up stops waiting; the execution goes on.
  const onClose = (): void => stop.abort();
  reply.raw.once('close', onClose);
  try {
    await context.durable.waitForEnd(execution, stop.signal);
  } finally {
    clearTimeout(timer);
    reply.raw.off('close', onClose);
  }
  if (execution.closed) return answerEnded(reply, execution);
  // Still running: the caller is told so and may follow the execution by its ARN.
  return reply
    .code(200)
    .header(LambdaHeaders.functionError, 'Unhandled')
    .type('application/json')
    .send(
      JSON.stringify({
        errorType: 'DurableExecutionStillRunning',
        errorMessage: `The durable execution is still running after ${limitSeconds} seconds, the longest a synchronous invocation waits; follow it with GetDurableExecution ${execution.arn}.`,
      }),
    );
}
