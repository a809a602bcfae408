import type { Argv } from 'yargs';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from '../../assembly/aws-defaults.js';
import type { LoadCloudAssemblyOptions, SynthReason } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { FromAppOptions } from '../../host/index.js';
import { createDiagnosticLogger } from '../diagnostic-logger.js';
import { writeNotice, type CliStreams } from '../output.js';

/** Options every command that reads the app takes: where the app is, and how it is synthesized. */
export interface AssemblyArguments {
  readonly app?: string;
  /** `-c key=value`, once or more (yargs gives an array when repeated). */
  readonly context?: string | readonly string[];
  readonly region?: string;
  readonly account?: string;
  /** `--synth` synthesizes even when the cdk.out there could be reused. */
  readonly synth: boolean;
  readonly debug: boolean;
}

/** Options every command that runs functions takes, besides {@link AssemblyArguments}. */
export interface AppArguments extends AssemblyArguments {
  readonly profile?: string;
  /** `--sandbox` / `--no-sandbox`; unset: the sandbox where bubblewrap works. */
  readonly sandbox?: boolean;
  /** `--no-freeze` keeps environments running between invocations. */
  readonly freeze: boolean;
  /** How `--debug` diagnostics are written. */
  readonly logFormat: 'text' | 'json';
  /** `--local-runtime` runs Node.js functions on the local `node`, whatever major they name. */
  readonly localRuntime: boolean;
  /** `--layer ARN=PATH`, once or more: local copies of layers from outside the app. */
  readonly layer?: string | readonly string[];
}

/** The arguments a command's options builder declares, as yargs types them. */
export type ArgumentsOf<Builder extends (yargs: Argv) => Argv<unknown>> = ReturnType<Builder> extends Argv<infer Parsed> ? Parsed : never;

/** Adds `--app`, `--context`, `--region`, `--account`, `--synth` and `--debug` to a command that reads the app. */
export function withAssemblyOptions<T>(yargs: Argv<T>): Argv<T & AssemblyArguments> {
  return yargs
    .option('app', {
      type: 'string',
      describe: 'A cloud assembly directory (cdk.out) or the command that synthesizes the app; default: the app of ./cdk.json',
    })
    .option('context', {
      alias: 'c',
      type: 'string',
      requiresArg: true,
      describe: 'A context value for the synth, as key=value (repeatable), as with cdk synth -c',
    })
    .option('region', {
      type: 'string',
      describe: `The region of the synth (CDK_DEFAULT_REGION) and of stacks that do not set one (default: AWS_REGION, else ${DEFAULT_REGION})`,
    })
    .option('account', {
      type: 'string',
      describe: `The account of the synth (CDK_DEFAULT_ACCOUNT) and of stacks that do not set one (default: CDK_DEFAULT_ACCOUNT, else ${DEFAULT_ACCOUNT})`,
    })
    .option('synth', { type: 'boolean', default: false, describe: 'Synthesize the app even when the cdk.out there could be reused' })
    .option('debug', { type: 'boolean', default: false, describe: "Show cdk-local's own diagnostics and stack traces" }) as unknown as Argv<
    T & AssemblyArguments
  >;
}

/** Adds {@link withAssemblyOptions} and `--profile`, `--sandbox`, `--log-format` and `--freeze` to a command that runs functions. */
export function withAppOptions<T>(yargs: Argv<T>): Argv<T & AppArguments> {
  return withAssemblyOptions(yargs)
    .option('profile', { type: 'string', describe: 'The AWS profile whose credentials the functions get' })
    .option('sandbox', {
      type: 'boolean',
      describe:
        "Run functions in a bubblewrap sandbox that looks like Lambda's (/var/task, /opt, a capped /tmp); --no-sandbox runs plain processes (default: the sandbox where bubblewrap works)",
    })
    .option('log-format', {
      choices: ['text', 'json'] as const,
      default: 'text' as const,
      describe: "How --debug writes cdk-local's own diagnostics on stderr",
    })
    .option('local-runtime', {
      type: 'boolean',
      default: false,
      describe: "Run Node.js functions on the local node, not on a build of their runtime's major fetched once into the cache",
    })
    .option('layer', {
      type: 'string',
      requiresArg: true,
      describe: 'A local directory or zip for a layer the app refers to by ARN, as ARN=PATH (repeatable); unmapped ones are downloaded with your credentials',
    })
    .option('freeze', {
      type: 'boolean',
      default: true,
      describe: 'Stop (SIGSTOP) each environment between invocations, as Lambda freezes it; --no-freeze keeps it running',
    }) as unknown as Argv<T & AppArguments>;
}

/** The `-c key=value` arguments as a context object; a value keeps every `=` after the first. */
export function parseContextArguments(values: string | readonly string[] | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const value of typeof values === 'string' ? [values] : (values ?? [])) {
    const separator = value.indexOf('=');
    if (separator <= 0) {
      throw new CdkLocalError(ErrorCodes.USAGE, `--context takes key=value, not '${value}': write it as -c ${separator === 0 ? 'key' : value}=value.`);
    }
    context[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return context;
}

/** The `--layer ARN=PATH` arguments as the library's `layers` option; a path keeps every `=` after the first. */
export function parseLayerArguments(values: string | readonly string[] | undefined): Record<string, string> {
  const layers: Record<string, string> = {};
  for (const value of typeof values === 'string' ? [values] : (values ?? [])) {
    const separator = value.indexOf('=');
    if (separator <= 0 || separator === value.length - 1) {
      throw new CdkLocalError(ErrorCodes.USAGE, `--layer takes ARN=PATH, not '${value}': write it as --layer arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION=./dir-or.zip.`);
    }
    layers[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return layers;
}

/** Local time of day, with the date when it is not today: when a reused cdk.out was made. */
function formatSynthTime(time: Date, now = new Date()): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  if (time.toDateString() === now.toDateString()) return clock;
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${clock}`;
}

const SYNTH_REASONS: Record<SynthReason, string> = {
  missing: 'no cdk.out yet',
  'files-changed': 'a file of the project changed',
  'not-ours': 'the cdk.out there was not synthesized by cdk-local',
  'inputs-changed': 'the context, options or environment differ from the last synth',
  forced: '--synth',
};

/** What the assembly loader needs from the command line, with its notices on stderr. */
export function assemblyOptions(
  args: AssemblyArguments,
  streams: CliStreams,
): Pick<LoadCloudAssemblyOptions, 'app' | 'context' | 'region' | 'account' | 'forceSynth' | 'onSynthesize' | 'onReuse'> {
  const context = parseContextArguments(args.context);
  return {
    ...(args.app === undefined ? {} : { app: args.app }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
    ...(args.region === undefined ? {} : { region: args.region }),
    ...(args.account === undefined ? {} : { account: args.account }),
    forceSynth: args.synth,
    onSynthesize: (command, reason) => writeNotice(streams, `synthesizing the app (${SYNTH_REASONS[reason]}): ${command}`),
    onReuse: (directory, synthesizedAt) =>
      writeNotice(streams, `using ${directory} from ${formatSynthTime(synthesizedAt)} (nothing that feeds the synth changed; --synth makes a new one)`),
  };
}

/** `--debug-port` and `--debugger-path`, for every command that runs functions. */
export interface DebugArguments {
  readonly debugPort?: number;
  readonly debuggerPath?: string;
}

/** Adds `--debug-port` and `--debugger-path` (SAM's names) to a command. */
export function withDebugOptions<T>(yargs: Argv<T>): Argv<T & DebugArguments> {
  return yargs
    .option('debug-port', {
      alias: 'd',
      type: 'number',
      describe:
        'Let a debugger attach on 127.0.0.1 at this port (Node.js inspector, Python debugpy); the function waits for it, and its timeouts are off (default: CDK_LOCAL_DEBUG_PORT)',
    })
    .option('debugger-path', { type: 'string', describe: 'Python: a directory holding debugpy, added to the Python path when debugging' }) as unknown as Argv<
    T & DebugArguments
  >;
}

/** The library's `debugPort` and `debuggerPath` for the command line, else CDK_LOCAL_DEBUG_PORT. */
export function debugSettings(args: DebugArguments, env: NodeJS.ProcessEnv = process.env): { readonly debugPort?: number; readonly debuggerPath?: string } {
  const raw = env.CDK_LOCAL_DEBUG_PORT;
  const fromEnv = raw === undefined || raw === '' || args.debugPort !== undefined ? undefined : Number(raw);
  if (fromEnv !== undefined && !Number.isInteger(fromEnv)) {
    throw new CdkLocalError(ErrorCodes.USAGE, `CDK_LOCAL_DEBUG_PORT must be a port number from 1 to 65535, not '${raw}'; unset it or fix it.`);
  }
  const debugPort = args.debugPort ?? fromEnv;
  return {
    ...(debugPort === undefined ? {} : { debugPort }),
    ...(args.debuggerPath === undefined ? {} : { debuggerPath: args.debuggerPath }),
  };
}

/** The library's `sandbox` and `freeze` options for what the command line said. */
export function environmentSettings(args: AppArguments): { readonly sandbox?: boolean; readonly freeze: boolean; readonly localRuntime?: true } {
  const localRuntime = args.localRuntime ? { localRuntime: true as const } : {};
  return args.sandbox === undefined ? { freeze: args.freeze, ...localRuntime } : { sandbox: args.sandbox, freeze: args.freeze, ...localRuntime };
}

/** The options of a LocalLambda that a command which runs functions makes from its arguments. */
export async function localLambdaOptions(args: AppArguments & DebugArguments & { readonly envVars?: string }, streams: CliStreams, signal: AbortSignal): Promise<FromAppOptions> {
  const { forceSynth, ...assembly } = assemblyOptions(args, streams);
  const logger = await createDiagnosticLogger({ debug: args.debug, format: args.logFormat, streams });
  const layers = parseLayerArguments(args.layer);
  return {
    ...(logger === undefined ? {} : { logger }),
    signal,
    ...assembly,
    ...(forceSynth === undefined ? {} : { synth: forceSynth }),
    onNotice: (message) => writeNotice(streams, message),
    ...(args.profile === undefined ? {} : { profile: args.profile }),
    ...(args.envVars === undefined ? {} : { envVars: args.envVars }),
    ...(Object.keys(layers).length === 0 ? {} : { layers }),
    ...environmentSettings(args),
    ...debugSettings(args),
  };
}
