import type { Argv, CommandModule } from 'yargs';
import { findApis, type ApiSpec, type FunctionSpec } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { Reload } from '../../host/index.js';
import type { ApiRequestSummary } from '../../servers/index.js';
import { labelFunctions } from '../function-labels.js';
import { writeError, writeLogRecord, writeNotice, type CliStreams } from '../output.js';
import { localLambdaOptions, withAppOptions, withDebugOptions, type AppArguments, type ArgumentsOf, type DebugArguments } from './common-options.js';

interface StartApiArguments extends AppArguments, DebugArguments {
  readonly apis?: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly envVars?: string;
  readonly maxConcurrency: number;
  readonly idleTimeout: number;
  readonly watch: boolean;
  readonly verifyJwt: boolean;
}

/** Resolves when `signal` aborts (Ctrl-C, SIGTERM). */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function checkNumber(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new CdkLocalError(ErrorCodes.USAGE, `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not ${value}.`);
  }
}

/** One stderr line per request: which endpoint, what was asked, how it was answered. */
function formatRequest(summary: ApiRequestSummary, label: (spec: FunctionSpec) => string): string {
  const ran = summary.function === undefined ? '' : ` (${label(summary.function)}${summary.requestId === undefined ? '' : ` ${summary.requestId}`})`;
  const detail = summary.detail === undefined ? '' : `: ${summary.detail.split('\n')[0]!.slice(0, 200)}`;
  return `cdk-local: ${summary.api.constructPath}: ${summary.method} ${summary.url} ${summary.statusCode}${ran}${detail}\n`;
}

/**
 * One stderr line per reload of a followed app: what changed, what was reloaded, how long it took.
 * `unserved` are APIs and function URLs the app has now that got no port at start.
 */
function describeReload(reload: Reload, unserved: readonly string[]): string {
  const parts = [
    reload.changed.length === 0 ? undefined : `reloaded ${reload.changed.join(', ')}`,
    reload.added.length === 0 ? undefined : `added ${reload.added.join(', ')}`,
    reload.removed.length === 0 ? undefined : `removed ${reload.removed.join(', ')}`,
    unserved.length === 0 ? undefined : `${unserved.join(', ')} served from the next restart`,
  ].filter((part) => part !== undefined);
  const what = parts.length === 0 ? 'no function changed' : parts.join('; ');
  return `cdk-local: ${reload.files.join(', ')} changed: ${what} (${reload.synthesized ? '' : 'no synth needed, '}${Math.round(reload.durationMs)} ms)\n`;
}

/**
 * Serves the app's APIs and function URLs until `signal` aborts, then shuts every environment
 * down. Prints one line per endpoint, then `cdk-local: ready`, on stdout; logs go to stderr.
 */
export async function runStartApi(args: StartApiArguments, streams: CliStreams, signal: AbortSignal): Promise<number> {
  checkNumber('--port', args.port, 0, 65_535, true);
  checkNumber('--max-concurrency', args.maxConcurrency, 1, Number.MAX_SAFE_INTEGER, true);
  checkNumber('--idle-timeout', args.idleTimeout, 0, Number.MAX_SAFE_INTEGER, false);
  let labels = new Map<FunctionSpec, string>();
  const label = (spec: FunctionSpec): string => labels.get(spec) ?? spec.constructPath;
  // Loaded here: the code that runs functions is only needed once a command runs one.
  const { LocalLambda, followApp, withUnstagedAssets } = await import('../../host/index.js');
  const appOptions = await localLambdaOptions(args, streams, signal);
  // A followed app serves unbundled code from its source directories, so editing it needs no synth.
  const options = args.watch ? withUnstagedAssets(appOptions) : appOptions;
  const local = await LocalLambda.fromApp({
    ...options,
    maxConcurrency: args.maxConcurrency,
    idleTimeoutMs: Math.round(args.idleTimeout * 1000),
    onLog: (record, spec) => writeLogRecord(streams, record, `[${label(spec)}]`),
  });
  try {
    labels = labelFunctions(local.functions);
    const named = args.apis ?? [];
    // In the app's order whatever the order named, so each keeps its place in the ports.
    const wanted = new Set(named.flatMap((name) => findApis(local.apis, name)));
    const apis: ApiSpec[] = named.length === 0 ? [...local.apis] : local.apis.filter((api) => wanted.has(api));
    if (local.apis.length === 0) {
      throw new CdkLocalError(ErrorCodes.API_NOT_FOUND, 'The app has no API Gateway API or function URL to serve; use start-lambda to call its functions directly.');
    }
    if (port(args.port, apis.length) > 65_535) throw new CdkLocalError(ErrorCodes.USAGE, `--port ${args.port} leaves no room for ${apis.length} endpoints below 65536; choose a lower first port.`);
    const { startApi } = await import('../../servers/index.js');
    const server = await startApi({
      local,
      apis,
      host: args.host,
      port: args.port,
      verifyJwt: args.verifyJwt,
      onNotice: (message) => writeNotice(streams, message),
      onRequest: (summary) => streams.stderr.write(formatRequest(summary, label)),
    });
    const servedPaths = new Set(server.endpoints.map((endpoint) => endpoint.path));
    const followed = args.watch
      ? await followApp({
          local,
          options: { ...options, onSynthesize: () => undefined },
          onReload: (reload) => {
            // Named APIs leave the others out on purpose; without names, every new one waits for a restart.
            const unserved = named.length === 0 ? local.apis.filter((api) => (api.kind === 'url' || api.stages.length > 0) && !servedPaths.has(api.constructPath)).map((api) => api.constructPath) : [];
            streams.stderr.write(describeReload(reload, unserved));
          },
          onError: (error, files) => {
            writeNotice(streams, `${files.join(', ')} changed, but the app failed; still serving its last good version:`);
            writeError(streams, error, args.debug);
          },
        })
      : undefined;
    try {
      for (const endpoint of server.endpoints) streams.stdout.write(`cdk-local: ${endpoint.kind} ${endpoint.path} at ${endpoint.url}\n`);
      streams.stdout.write('cdk-local: ready\n');
      await untilAborted(signal);
    } finally {
      await followed?.close();
      // WebSocket clients are told first, while their $disconnect functions can still run.
      await server.disconnect();
      // Closing the functions ends the invocations under way, which lets the servers close.
      await Promise.allSettled([server.close(), local.close()]);
    }
  } finally {
    await local.close();
  }
  return 0;
}

function port(first: number, count: number): number {
  return first === 0 ? 0 : first + Math.max(count - 1, 0);
}

/** The options of `cdk-local start-api`. */
function startApiOptions(yargs: Argv) {
  return withDebugOptions(withAppOptions(yargs))
    .positional('apis', {
      type: 'string',
      array: true,
      describe: 'Serve only these APIs and function URLs (construct path, logical ID or name); default: all',
    })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'The address to listen on' })
    .option('port', { alias: 'p', type: 'number', default: 3000, describe: 'The first port; each API and URL takes the next one (0: free ports)' })
    .option('env-vars', { alias: 'n', type: 'string', describe: 'A SAM-compatible JSON file of environment variable overrides' })
    .option('max-concurrency', {
      type: 'number',
      default: 10,
      describe: 'Most environments per function without reserved concurrency; past it, the API answers as when Lambda throttles',
    })
    .option('watch', {
      type: 'boolean',
      default: false,
      describe: "Synthesize the app again when its files change (cdk.json's watch.include/exclude) and serve the new version of its APIs and functions on the same ports",
    })
    .option('idle-timeout', {
      type: 'number',
      default: 300,
      describe: 'Shut an environment down after this many idle seconds (0: keep it)',
    })
    .option('verify-jwt', {
      type: 'boolean',
      default: true,
      describe: "Check the signature of JWT and Cognito tokens against their issuer's keys when those can be fetched (--no-verify-jwt: accept any signature)",
    });
}

/** `cdk-local start-api [API...]`. */
export function startApiCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof startApiOptions>> {
  return {
    command: 'start-api [apis..]',
    describe: "Serve the app's API Gateway REST and HTTP APIs and function URLs, each on its own port",
    builder: startApiOptions,
    handler: async (args) => {
      setExitCode(await runStartApi(args, streams, signal));
    },
  };
}
