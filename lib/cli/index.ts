import { constants } from 'node:os';
import yargs from 'yargs';
import { CdkLocalError, ErrorCodes, isCdkLocalError } from '../errors.js';
import { callbackCommand, executionCommand } from './commands/durable-control.js';
import { generateEventCommand } from './commands/generate-event.js';
import { invokeCommand } from './commands/invoke.js';
import { listCommand } from './commands/list.js';
import { startApiCommand } from './commands/start-api.js';
import { readOwnVersion } from './own-version.js';
import { startLambdaCommand } from './commands/start-lambda.js';
import { writeError, type CliStreams } from './output.js';

/** Exit code when cdk-local itself could not do what was asked. */
const EXIT_CDK_LOCAL_ERROR = 2;
/** The signals that shut the command down: Ctrl-C, `kill`, a closed terminal. */
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The exit code after `signal`, as shells report it: 128 + its number (SIGINT 130, SIGTERM 143, SIGHUP 129). */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** yargs reads a lone `-` as a positional argument; `--event -` means stdin. */
function joinStdinValues(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === '--event' || arg === '-e') && argv[i + 1] === '-') {
      joined.push(`${arg}=-`);
      i += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/**
 * Runs the command line and returns the exit code. Installs the signal handlers: the first
 * Ctrl-C (or SIGTERM, SIGHUP) shuts down in order, a second one exits at once; either way the
 * exit code is the signal's conventional one, 128 + its number.
 */
export async function runCli(argv: readonly string[], streams: CliStreams = process): Promise<number> {
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptedBy === undefined) {
      interruptedBy = signal;
      streams.stderr.write(signal === 'SIGINT' ? 'cdk-local: shutting down (Ctrl-C again to exit now)\n' : `cdk-local: shutting down on ${signal}\n`);
      controller.abort(new CdkLocalError(ErrorCodes.INTERRUPTED, `Interrupted by ${signal}.`));
    } else {
      process.exit(signalExitCode(signal));
    }
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);

  let exitCode = 0;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const debug = argv.includes('--debug');
  try {
    await yargs(joinStdinValues(argv))
      .scriptName('cdk-local')
      .usage('$0 <command> [options]\n\nRun the Lambda functions of a CDK app locally, without Docker.')
      .command(invokeCommand(streams, controller.signal, setExitCode))
      .command(listCommand(streams, controller.signal, setExitCode))
      .command(startLambdaCommand(streams, controller.signal, setExitCode))
      .command(startApiCommand(streams, controller.signal, setExitCode))
      .command(generateEventCommand(streams, controller.signal, setExitCode))
      .command(executionCommand(streams, controller.signal, setExitCode))
      .command(callbackCommand(streams, controller.signal, setExitCode))
      .demandCommand(1, 'Name a command: invoke, list, start-lambda, start-api, generate-event, execution or callback (see --help).')
      .strict()
      .help()
      .version(readOwnVersion())
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .fail((message, error) => {
        throw error ?? new CdkLocalError(ErrorCodes.USAGE, message);
      })
      .parseAsync();
  } catch (error) {
    if (interruptedBy !== undefined) return signalExitCode(interruptedBy);
    if (isCdkLocalError(error) && error.code === ErrorCodes.USAGE) {
      streams.stderr.write(`cdk-local: ${error.message}\nRun 'cdk-local --help' for usage.\n`);
    } else {
      writeError(streams, error, debug);
    }
    return EXIT_CDK_LOCAL_ERROR;
  } finally {
    // Once interrupted, the handlers stay until the process exits: a second signal that comes
    // after the shutdown but before the exit still exits at once, with its code, not by the signal.
    if (interruptedBy === undefined) for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  }
  return interruptedBy === undefined ? exitCode : signalExitCode(interruptedBy);
}
