import type { Argv, CommandModule } from 'yargs';
import type { FunctionSpec } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { Reload } from '../../host/index.js';
import type { InvocationSummary } from '../../servers/index.js';
import { labelFunctions } from '../function-labels.js';
import { writeError, writeLogRecord, writeNotice, type CliStreams } from '../output.js';
import { localLambdaOptions, withAppOptions, withDebugOptions, type AppArguments, type ArgumentsOf, type DebugArguments } from './common-options.js';

interface StartLambdaArguments extends AppArguments, DebugArguments {
  readonly functions?: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly envVars?: string;
  readonly maxConcurrency: number;
  readonly idleTimeout: number;
  readonly watch: boolean;
  readonly durableTimeScale: number;
}

/** Resolves when `signal` aborts (Ctrl-C, SIGTERM). */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** One stderr line per invocation: who, how, and how it ended. */
function formatSummary(summary: InvocationSummary, label: string): string {
  const attempt = summary.attempt > 1 ? ` (attempt ${summary.attempt})` : '';
  const report = summary.report;
  const timing =
    report === undefined
      ? ''
      : `, ${report.durationMs.toFixed(2)} ms${report.initDurationMs === undefined ? '' : `, cold start ${report.initDurationMs.toFixed(2)} ms`}`;
  const error = summary.errorType === undefined ? '' : ` ${summary.errorType}`;
  const version = summary.executedVersion === undefined || summary.executedVersion === '$LATEST' ? '' : `:${summary.executedVersion}`;
  const tenant = summary.tenantId === undefined ? '' : ` (tenant ${summary.tenantId})`;
  return `cdk-local: ${label}${version}${tenant}: ${summary.operation} ${summary.invocationType}${attempt} ${summary.requestId}: ${summary.status}${error}${timing}\n`;
}

/** One stderr line per reload of a followed app: what changed, what was reloaded, how long it took. */
function describeReload(reload: Reload): string {
  const parts = [
    reload.changed.length === 0 ? undefined : `reloaded ${reload.changed.join(', ')}`,
    reload.added.length === 0 ? undefined : `added ${reload.added.join(', ')} (served from the next restart)`,
    reload.removed.length === 0 ? undefined : `removed ${reload.removed.join(', ')}`,
  ].filter((part) => part !== undefined);
  const what = parts.length === 0 ? 'no function changed' : parts.join('; ');
  return `cdk-local: ${reload.files.join(', ')} changed: ${what} (${reload.synthesized ? '' : 'no synth needed, '}${Math.round(reload.durationMs)} ms)\n`;
}

function checkNumber(name: string, value: number, { min, max = Number.MAX_SAFE_INTEGER, integer = true }: { min: number; max?: number; integer?: boolean }): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new CdkLocalError(ErrorCodes.USAGE, `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not ${value}.`);
  }
}

/**
 * Serves the Lambda Invoke API until `signal` aborts, then shuts every environment down.
 * Prints one line with the URL on stdout when ready; logs go to stderr.
 */
async function runStartLambda(args: StartLambdaArguments, streams: CliStreams, signal: AbortSignal): Promise<number> {
  checkNumber('--port', args.port, { min: 0, max: 65_535 });
  checkNumber('--max-concurrency', args.maxConcurrency, { min: 1 });
  checkNumber('--idle-timeout', args.idleTimeout, { min: 0, integer: false });
  checkNumber('--durable-time-scale', args.durableTimeScale, { min: 0, integer: false });
  let labels = new Map<FunctionSpec, string>();
  // A version's environments log under their function's label and the version: `[Hello:1]`.
  const labelOf = (spec: FunctionSpec): string => {
    const label = labels.get(spec) ?? [...labels].find(([candidate]) => candidate.constructPath === spec.constructPath)?.[1] ?? spec.constructPath;
    return spec.version === '$LATEST' ? label : `${label}:${spec.version}`;
  };
  // Loaded here: the code that runs functions is only needed once a command runs one.
  const { LocalLambda, followApp, withUnstagedAssets } = await import('../../host/index.js');
  const appOptions = await localLambdaOptions(args, streams, signal);
  // A followed app serves unbundled code from its source directories, so editing it needs no synth.
  const options = args.watch ? withUnstagedAssets(appOptions) : appOptions;
  const local = await LocalLambda.fromApp({
    ...options,
    maxConcurrency: args.maxConcurrency,
    idleTimeoutMs: Math.round(args.idleTimeout * 1000),
    onLog: (record, spec) => writeLogRecord(streams, record, `[${labelOf(spec)}]`),
  });
  try {
    labels = labelFunctions(local.functions);
    const named = args.functions ?? [];
    const functions = named.length === 0 ? local.functions : [...new Set(named.map((name) => local.getFunction(name)))];
    if (local.functions.length === 0) writeNotice(streams, 'The app has no Lambda functions.');
    const { startLambdaServer } = await import('../../servers/index.js');
    const server = await startLambdaServer({
      local,
      functions,
      host: args.host,
      port: args.port,
      onInvocation: (summary) => streams.stderr.write(formatSummary(summary, labels.get(summary.spec) ?? summary.spec.constructPath)),
      onNotice: (message) => writeNotice(streams, message),
      durableTimeScale: args.durableTimeScale,
      onDurableOperation: (execution, operation) => {
        if (operation.Type === 'CALLBACK' && operation.Status === 'STARTED') {
          const name = operation.Name ?? (operation.ParentId === undefined ? undefined : execution.operations.get(operation.ParentId)?.Name);
          writeNotice(streams, `durable execution ${execution.name} waits for callback ${name === undefined ? '' : `'${name}' `}${operation.CallbackDetails?.CallbackId ?? ''}`);
        }
      },
      onDurableExecutionEnd: (execution) => writeNotice(streams, `durable execution ${execution.name} ${execution.status}: ${execution.arn}`),
    });
    const followed = args.watch
      ? await followApp({
          local,
          options: { ...options, onSynthesize: () => undefined },
          onReload: (reload) => streams.stderr.write(describeReload(reload)),
          onError: (error, files) => {
            writeNotice(streams, `${files.join(', ')} changed, but the app failed; still serving its last good version:`);
            writeError(streams, error, args.debug);
          },
        })
      : undefined;
    try {
      streams.stdout.write(`cdk-local: Lambda Invoke API at ${server.url} (${functions.length} function${functions.length === 1 ? '' : 's'})\n`);
      await untilAborted(signal);
    } finally {
      await followed?.close();
      // Closing the functions ends the invocations under way, which lets the server close.
      await Promise.allSettled([server.close(), local.close()]);
    }
  } finally {
    await local.close();
  }
  return 0;
}

/** The options of `cdk-local start-lambda`. */
function startLambdaOptions(yargs: Argv) {
  return withDebugOptions(withAppOptions(yargs))
    .positional('functions', {
      type: 'string',
      array: true,
      describe: 'Serve only these functions (any name cdk-local accepts); default: all',
    })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'The address to listen on' })
    .option('port', { alias: 'p', type: 'number', default: 3001, describe: 'The port to listen on (0: a free one)' })
    .option('env-vars', { alias: 'n', type: 'string', describe: 'A SAM-compatible JSON file of environment variable overrides' })
    .option('max-concurrency', {
      type: 'number',
      default: 10,
      describe: 'Most environments per function without reserved concurrency; past it, 429 TooManyRequestsException',
    })
    .option('watch', {
      type: 'boolean',
      default: false,
      describe: "Synthesize the app again when its files change (cdk.json's watch.include/exclude) and reload the functions that changed",
    })
    .option('idle-timeout', {
      type: 'number',
      default: 300,
      describe: 'Shut an environment down after this many idle seconds (0: keep it)',
    })
    .option('durable-time-scale', {
      type: 'number',
      default: 1,
      describe: 'Durable functions: multiply waits and step retry delays by this (0: they end at once)',
    });
}

/** `cdk-local start-lambda [FUNCTION...]`. */
export function startLambdaCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof startLambdaOptions>> {
  return {
    command: 'start-lambda [functions..]',
    describe: 'Serve the Lambda Invoke API for SDKs, the AWS CLI and integration tests',
    builder: startLambdaOptions,
    handler: async (args) => {
      setExitCode(await runStartLambda(args, streams, signal));
    },
  };
}
