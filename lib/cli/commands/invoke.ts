import type { CommandModule } from 'yargs';
import { readEvent } from '../read-event.js';
import { writeLogRecord, type CliStreams } from '../output.js';
import { localLambdaOptions, withAppOptions, withDebugOptions, type AppArguments, type DebugArguments } from './common-options.js';

interface InvokeArguments extends AppArguments, DebugArguments {
  readonly function: string;
  readonly event?: string;
  readonly eventJson?: string;
  readonly envVars?: string;
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (Ctrl-C). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Exit codes of `invoke`. */
export const InvokeExitCodes = { success: 0, functionError: 1, cdkLocalError: 2 } as const;

/** Runs one invocation: response on stdout, logs on stderr; returns the exit code. */
export async function runInvoke(args: InvokeArguments, streams: CliStreams, signal: AbortSignal): Promise<number> {
  const payload = await readEvent({ event: args.event, eventJson: args.eventJson });
  // Loaded here: the code that runs functions is only needed once a command runs one.
  const { LocalLambda } = await import('../../host/index.js');
  await using local = await LocalLambda.fromApp({
    ...(await localLambdaOptions(args, streams, signal)),
    onLog: (record) => writeLogRecord(streams, record),
  });
  const spec = local.getFunction(args.function);
  const handle = await local.start(spec, { payload });
  const response = await untilAborted(handle.response, signal);
  let failed = response.kind === 'function-error';
  if (response.kind === 'stream') {
    for await (const chunk of response.body as AsyncIterable<Buffer>) streams.stdout.write(chunk);
    const completion = await response.completion;
    if (completion.error !== undefined) {
      failed = true;
      streams.stdout.write(completion.error.body);
    }
  } else {
    streams.stdout.write(response.body);
  }
  if (streams.stdout.isTTY === true) streams.stdout.write('\n');
  const report = await untilAborted(handle.report, signal);
  if (report.status !== 'success') failed = true;
  return failed ? InvokeExitCodes.functionError : InvokeExitCodes.success;
}

/** `cdk-local invoke FUNCTION`. */
export function invokeCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, InvokeArguments> {
  return {
    command: 'invoke <function>',
    describe: 'Run one function once and print its response',
    builder: (yargs) =>
      withDebugOptions(withAppOptions(yargs))
        .positional('function', {
          type: 'string',
          demandOption: true,
          describe: 'Construct path, path without the stack, logical ID, Stack:LogicalId or function name',
        })
        .option('event', { alias: 'e', type: 'string', describe: "A JSON file with the event, or '-' for stdin (default: {})" })
        .option('event-json', { type: 'string', describe: 'The event as inline JSON' })
        .option('env-vars', { alias: 'n', type: 'string', describe: 'A SAM-compatible JSON file of environment variable overrides' }) as never,
    handler: async (args) => {
      setExitCode(await runInvoke(args, streams, signal));
    },
  };
}
