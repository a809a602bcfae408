import type { Argv } from 'yargs';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { FromAppOptions } from '../../host/index.js';
import { createDiagnosticLogger } from '../diagnostic-logger.js';
import { writeNotice, type CliStreams } from '../output.js';

/** Options every command that reads the app takes. */
export interface AppArguments {
  readonly app?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly debug: boolean;
  /** `--sandbox` / `--no-sandbox`; unset: the sandbox where bubblewrap works. */
  readonly sandbox?: boolean;
  /** `--no-freeze` keeps environments running between invocations. */
  readonly freeze: boolean;
  /** How `--debug` diagnostics are written. */
  readonly logFormat: 'text' | 'json';
}

/** Adds `--app`, `--region`, `--profile`, `--debug`, `--sandbox` and `--freeze` to a command. */
export function withAppOptions<T>(yargs: Argv<T>): Argv<T & AppArguments> {
  return yargs
    .option('app', {
      type: 'string',
      describe: 'A cloud assembly directory (cdk.out) or the command that synthesizes the app; default: the app of ./cdk.json',
    })
    .option('region', { type: 'string', describe: 'The region of stacks that do not set one (default: AWS_REGION, else us-east-1)' })
    .option('profile', { type: 'string', describe: 'The AWS profile whose credentials the functions get' })
    .option('debug', { type: 'boolean', default: false, describe: "Show cdk-local's own diagnostics and stack traces" })
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
    .option('freeze', {
      type: 'boolean',
      default: true,
      describe: 'Stop (SIGSTOP) each environment between invocations, as Lambda freezes it; --no-freeze keeps it running',
    }) as unknown as Argv<T & AppArguments>;
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
export function environmentSettings(args: AppArguments): { readonly sandbox?: boolean; readonly freeze: boolean } {
  return args.sandbox === undefined ? { freeze: args.freeze } : { sandbox: args.sandbox, freeze: args.freeze };
}

/** The options of a LocalLambda that a command which runs functions makes from its arguments. */
export async function localLambdaOptions(args: AppArguments & DebugArguments & { readonly envVars?: string }, streams: CliStreams, signal: AbortSignal): Promise<FromAppOptions> {
  const logger = await createDiagnosticLogger({ debug: args.debug, format: args.logFormat, streams });
  return {
    ...(logger === undefined ? {} : { logger }),
    signal,
    onSynthesize: (command) => writeNotice(streams, `synthesizing the app: ${command}`),
    onNotice: (message) => writeNotice(streams, message),
    ...(args.app === undefined ? {} : { app: args.app }),
    ...(args.region === undefined ? {} : { region: args.region }),
    ...(args.profile === undefined ? {} : { profile: args.profile }),
    ...(args.envVars === undefined ? {} : { envVars: args.envVars }),
    ...environmentSettings(args),
    ...debugSettings(args),
  };
}
