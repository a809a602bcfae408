import yargs from 'yargs';
import { CdkLocalError, ErrorCodes, isCdkLocalError } from '../errors.js';
import { generateEventCommand } from './commands/generate-event.js';
import { invokeCommand } from './commands/invoke.js';
import { listCommand } from './commands/list.js';
import { startApiCommand } from './commands/start-api.js';
import { readOwnVersion } from './own-version.js';
import { startLambdaCommand } from './commands/start-lambda.js';
import { writeError, type CliStreams } from './output.js';

/** Exit code when cdk-local itself could not do what was asked. */
const EXIT_CDK_LOCAL_ERROR = 2;
/** Exit code after Ctrl-C, as shells report SIGINT. */
const EXIT_INTERRUPTED = 130;

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
 * Ctrl-C shuts down in order, a second one exits at once.
 */
export async function runCli(argv: readonly string[], streams: CliStreams = process): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      streams.stderr.write('cdk-local: shutting down (Ctrl-C again to exit now)\n');
      controller.abort(new CdkLocalError(ErrorCodes.USAGE, 'Interrupted.'));
    } else {
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

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
      .demandCommand(1, 'Name a command: invoke, list, start-lambda, start-api or generate-event (see --help).')
      .strict()
      .help()
      .version(readOwnVersion())
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .fail((message, error) => {
        throw error ?? new CdkLocalError(ErrorCodes.USAGE, message);
      })
      .parseAsync();
  } catch (error) {
    if (controller.signal.aborted) return EXIT_INTERRUPTED;
    if (isCdkLocalError(error) && error.code === ErrorCodes.USAGE) {
      streams.stderr.write(`cdk-local: ${error.message}\nRun 'cdk-local --help' for usage.\n`);
    } else {
      writeError(streams, error, debug);
    }
    return EXIT_CDK_LOCAL_ERROR;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return controller.signal.aborted ? EXIT_INTERRUPTED : exitCode;
}
