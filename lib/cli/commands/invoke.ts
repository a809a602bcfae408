import type { CommandModule } from 'yargs';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import { readEvent } from '../read-event.js';
import { writeLogRecord, type CliStreams } from '../output.js';
import { localLambdaOptions, withAppOptions, type AppArguments } from './common-options.js';

interface InvokeArguments extends AppArguments {
  readonly function: string;
  readonly event?: string;
  readonly eventJson?: string;
  readonly envVars?: string;
  readonly eventFromTrigger: boolean;
  readonly trigger?: number;
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
  if (args.eventFromTrigger && (args.event !== undefined || args.eventJson !== undefined)) {
    throw new CdkLocalError(ErrorCodes.USAGE, 'Give the event either with --event-from-trigger or with --event/--event-json, not both.');
  }
  if (args.trigger !== undefined && !args.eventFromTrigger) {
    throw new CdkLocalError(ErrorCodes.USAGE, '--trigger picks the trigger of --event-from-trigger; add --event-from-trigger.');
  }
  let payload = args.eventFromTrigger ? undefined : await readEvent({ event: args.event, eventJson: args.eventJson });
  // Loaded here: the code that runs functions is only needed once a command runs one.
  const { LocalLambda } = await import('../../host/index.js');
  await using local = await LocalLambda.fromApp({
    ...(await localLambdaOptions(args, streams, signal)),
    onLog: (record) => writeLogRecord(streams, record),
  });
  const spec = local.getFunction(args.function);
  if (payload === undefined) payload = await (await import('../trigger-event.js')).readTriggerPayload(local, args);
  const handle = await local.start(spec, { payload });
  const response = await untilAborted(handle.response, signal);
  let failed = response.kind === 'function-error';
  let last: Buffer | undefined;
  const write = (bytes: Buffer): void => {
    if (bytes.length > 0) last = bytes;
    streams.stdout.write(bytes);
  };
  if (response.kind === 'stream') {
    for await (const chunk of response.body as AsyncIterable<Buffer>) write(chunk);
    const completion = await response.completion;
    if (completion.error !== undefined) {
      failed = true;
      write(completion.error.body);
    }
  } else {
    write(response.body);
  }
  // On a terminal the shell prompt would follow the response on its line; piped, the bytes stay exact.
  if (streams.stdout.isTTY === true && last?.at(-1) !== 0x0a) streams.stdout.write('\n');
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
      withAppOptions(yargs)
        .positional('function', {
          type: 'string',
          demandOption: true,
          describe: 'Construct path, path without the stack, logical ID, Stack:LogicalId or function name',
        })
        .option('event', { alias: 'e', type: 'string', describe: "A JSON file with the event, or '-' for stdin (default: {})" })
        .option('event-json', { type: 'string', describe: 'The event as inline JSON' })
        .option('event-from-trigger', {
          type: 'boolean',
          default: false,
          describe: "The event of the function's trigger in the app (its bucket, queue, rule, topic or route), as generate-event --for prints it",
        })
        .option('trigger', { type: 'number', describe: 'With --event-from-trigger: which trigger (1, 2, ...) when the function has several' })
        .option('env-vars', { alias: 'n', type: 'string', describe: 'A SAM-compatible JSON file of environment variable overrides' }) as never,
    handler: async (args) => {
      setExitCode(await runInvoke(args, streams, signal));
    },
  };
}
