import type { FunctionSpec } from '../../assembly/index.js';
import type { DurableExecution, Operation } from '../../durable/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { LocalLambda } from '../../host/index.js';
import { writeNotice, type CliStreams } from '../output.js';
import { InvokeExitCodes } from './invoke.js';

/** Refuses a `--durable-time-scale` that is not a number from 0 up. */
export function checkTimeScale(value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new CdkLocalError(ErrorCodes.USAGE, `--durable-time-scale must be a number from 0 up (0: waits end at once), not ${value}.`);
  }
}

/** Options of {@link runDurableExecution}. */
export interface RunDurableExecutionOptions {
  readonly local: LocalLambda;
  readonly spec: FunctionSpec;
  readonly payload: Buffer;
  readonly streams: CliStreams;
  readonly signal: AbortSignal;
  readonly timeScale: number;
}

/** The command that answers a callback from another terminal. */
function callbackHint(execution: DurableExecution, operation: Operation, endpoint: string): string {
  const id = operation.CallbackDetails?.CallbackId ?? '';
  // waitForCallback names its child context, not the callback in it.
  const named = operation.Name ?? (operation.ParentId === undefined ? undefined : execution.operations.get(operation.ParentId)?.Name);
  const name = named === undefined ? 'a callback' : `callback '${named}'`;
  return `waiting for ${name}; answer it with: cdk-local callback succeed ${id} --result '<json>' --endpoint-url ${endpoint} (or callback fail)`;
}

/**
 * `cdk-local invoke` of a durable function: serves the Lambda API on a free loopback port for
 * the function's checkpoints (and for answering its callbacks), runs one execution to its end,
 * and prints its result on stdout, or its error (exit code 1).
 */
export async function runDurableExecution(options: RunDurableExecutionOptions): Promise<number> {
  const { local, spec, payload, streams, signal } = options;
  const { startLambdaServer } = await import('../../servers/index.js');
  let endpoint = '';
  const server = await startLambdaServer({
    local,
    host: '127.0.0.1',
    port: 0,
    durableTimeScale: options.timeScale,
    onNotice: (message) => writeNotice(streams, message),
    onDurableOperation: (execution: DurableExecution, operation: Operation) => {
      if (operation.Type === 'CALLBACK' && operation.Status === 'STARTED') writeNotice(streams, callbackHint(execution, operation, endpoint));
    },
  });
  endpoint = server.url;
  try {
    const { execution } = server.durable.start(spec, { payload: payload.toString('utf8') });
    writeNotice(streams, `durable execution ${execution.arn}`);
    await server.durable.waitForEnd(execution, signal);
    if (signal.aborted) throw signal.reason;
    if (execution.status === 'SUCCEEDED') {
      const result = execution.result === undefined || execution.result === '' ? 'null' : execution.result;
      streams.stdout.write(`${result}\n`);
      return InvokeExitCodes.success;
    }
    const error = execution.error ?? {};
    writeNotice(streams, `the durable execution ended ${execution.status}`);
    streams.stdout.write(
      `${JSON.stringify({ errorType: error.ErrorType ?? execution.status, errorMessage: error.ErrorMessage ?? '', ...(error.StackTrace === undefined ? {} : { stackTrace: error.StackTrace }) })}\n`,
    );
    return InvokeExitCodes.functionError;
  } finally {
    await Promise.allSettled([server.close(), local.close()]);
  }
}
