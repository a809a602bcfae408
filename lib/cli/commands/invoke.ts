import type { Argv, CommandModule } from 'yargs';
import { CdkLocalError, ErrorCodes, isCdkLocalError } from '../../errors.js';
import { readEvent } from '../read-event.js';
import { hasQualifier, type FunctionSpec } from '../../assembly/index.js';
import type { LogRecord } from '../../environment/index.js';
import type { LocalLambda } from '../../host/index.js';
import { writeError, writeLogRecord, writeNotice, type CliStreams } from '../output.js';
import { checkTimeScale, runDurableExecution } from './invoke-durable.js';
import { localLambdaOptions, withAppOptions, withDebugOptions, type AppArguments, type ArgumentsOf, type DebugArguments } from './common-options.js';

interface InvokeArguments extends AppArguments, DebugArguments {
  readonly function: string;
  readonly event?: string;
  readonly eventJson?: string;
  readonly envVars?: string;
  readonly eventFromTrigger: boolean;
  readonly trigger?: number;
  readonly watch: boolean;
  readonly qualifier?: string;
  readonly tenantId?: string;
  readonly durableTimeScale: number;
}

/** What one invocation asks for besides the event. */
interface InvokeTarget {
  readonly qualifier?: string;
  readonly tenantId?: string;
}

/**
 * The function and qualifier a name gives: the function of that name, else, for `Fn:live`, the
 * function before the last colon with a version or alias it declares (or `$LATEST`) after it.
 */
function findQualifiedFunction(local: LocalLambda, name: string): { spec: FunctionSpec; qualifier?: string } {
  try {
    return { spec: local.getFunction(name) };
  } catch (error) {
    const colon = name.lastIndexOf(':');
    if (colon <= 0 || !isCdkLocalError(error) || error.code !== ErrorCodes.FUNCTION_NOT_FOUND) throw error;
    let spec: FunctionSpec;
    try {
      spec = local.getFunction(name.slice(0, colon));
    } catch {
      throw error;
    }
    const qualifier = name.slice(colon + 1);
    if (!hasQualifier(spec, qualifier)) throw error;
    return { spec, qualifier };
  }
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
  checkTimeScale(args.durableTimeScale);
  let payload = args.eventFromTrigger ? undefined : await readEvent({ event: args.event, eventJson: args.eventJson });
  // Loaded here: the code that runs functions is only needed once a command runs one.
  const { LocalLambda, followApp, withUnstagedAssets } = await import('../../host/index.js');
  const appOptions = { ...(await localLambdaOptions(args, streams, signal)), onLog: (record: LogRecord) => writeLogRecord(streams, record) };
  // A followed app serves unbundled code from its source directories, so editing it needs no synth.
  const options = args.watch ? withUnstagedAssets(appOptions) : appOptions;
  await using local = await LocalLambda.fromApp(options);
  const found = findQualifiedFunction(local, args.function);
  const spec = found.spec;
  if (found.qualifier !== undefined && args.qualifier !== undefined && found.qualifier !== args.qualifier) {
    throw new CdkLocalError(ErrorCodes.USAGE, `'${args.function}' names the qualifier ${found.qualifier} and --qualifier says ${args.qualifier}: give one of them.`);
  }
  const qualifier = found.qualifier ?? args.qualifier;
  const target: InvokeTarget = {
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(args.tenantId === undefined ? {} : { tenantId: args.tenantId }),
  };
  if (payload === undefined) payload = await (await import('../trigger-event.js')).readTriggerPayload(local, args);
  const event: Buffer = payload;
  if (spec.durable !== undefined) {
    if (args.watch) throw new CdkLocalError(ErrorCodes.USAGE, `${spec.constructPath} is a durable function: invoke runs one execution to its end; leave out --watch.`);
    return await runDurableExecution({ local, spec, payload: event, streams, signal, timeScale: args.durableTimeScale });
  }
  // Awaited here: `local` is disposed when this function returns.
  if (!args.watch) return await invokeOnce(local, spec, target, event, streams, signal, false);
  // --watch: the function runs again after every change of the app, until Ctrl-C. The app is
  // followed before the first run, so a change made while it runs is not missed.
  let queue: Promise<unknown> = Promise.resolve();
  const followed = await followApp({
    local,
    options: { ...options, onSynthesize: () => undefined },
    onReload: (reload) => {
      streams.stderr.write(`cdk-local: ${reload.files.join(', ')} changed (${Math.round(reload.durationMs)} ms); invoking ${spec.constructPath} again\n`);
      queue = queue.then(() => invokeOnce(local, spec, target, event, streams, signal, true).catch((error: unknown) => writeError(streams, error, args.debug)));
    },
    onError: (error, files) => {
      writeNotice(streams, `${files.join(', ')} changed, but the app failed; the last good version stays:`);
      writeError(streams, error, args.debug);
    },
  });
  try {
    const first = invokeOnce(local, spec, target, event, streams, signal, true);
    queue = first.catch(() => undefined);
    const exitCode = await first;
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    return exitCode;
  } finally {
    await followed.close();
  }
}

/** One invocation of `spec`: the response on stdout (one per line when watching); the exit code it makes. */
async function invokeOnce(
  local: LocalLambda,
  spec: FunctionSpec,
  target: InvokeTarget,
  payload: Buffer,
  streams: CliStreams,
  signal: AbortSignal,
  oneALine: boolean,
): Promise<number> {
  const handle = await local.start(spec, { payload, ...target });
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
  // On a terminal (and between the results of --watch) a newline ends the response; piped, the bytes stay exact.
  if ((oneALine || streams.stdout.isTTY === true) && last?.at(-1) !== 0x0a) streams.stdout.write('\n');
  const report = await untilAborted(handle.report, signal);
  if (report.status !== 'success') failed = true;
  return failed ? InvokeExitCodes.functionError : InvokeExitCodes.success;
}

/** The options of `cdk-local invoke`. */
function invokeOptions(yargs: Argv) {
  return withDebugOptions(withAppOptions(yargs))
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
    .option('env-vars', { alias: 'n', type: 'string', describe: 'A SAM-compatible JSON file of environment variable overrides' })
    .option('qualifier', { type: 'string', describe: 'A version number or alias the app declares for the function (also FUNCTION:QUALIFIER); default $LATEST' })
    .option('tenant-id', { type: 'string', describe: 'The tenant of a function with tenant isolation (TenancyConfig PER_TENANT)' })
    .option('watch', {
      type: 'boolean',
      default: false,
      describe: "Invoke the function again after every change of the app (cdk.json's watch.include/exclude), until Ctrl-C",
    })
    .option('durable-time-scale', {
      type: 'number',
      default: 1,
      describe: 'Durable functions: multiply waits and step retry delays by this (0: they end at once, 0.1: ten times sooner)',
    });
}

/** `cdk-local invoke FUNCTION`. */
export function invokeCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof invokeOptions>> {
  return {
    command: 'invoke <function>',
    describe: 'Run one function once and print its response',
    builder: invokeOptions,
    handler: async (args) => {
      setExitCode(await runInvoke(args, streams, signal));
    },
  };
}
