import type { Argv, CommandModule } from 'yargs';
import { loadCloudAssembly, readAssembly, type FunctionSpec } from '../../assembly/index.js';
import { writeNotice, type CliStreams } from '../output.js';
import { withAppOptions, type AppArguments, type ArgumentsOf } from './common-options.js';

interface ListArguments extends AppArguments {
  readonly json: boolean;
}

/** One row of `cdk-local list --json`. */
export interface FunctionListing {
  readonly path: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly functionName: string;
  readonly runtime: string | null;
  readonly handler: string | null;
  readonly memorySize: number;
  readonly timeout: number;
}

function toListing(spec: FunctionSpec): FunctionListing {
  return {
    path: spec.constructPath,
    logicalId: spec.logicalId,
    stack: spec.stackDisplayName,
    functionName: spec.functionName,
    runtime: spec.runtime ?? (spec.code.kind === 'image' ? 'image' : null),
    handler: spec.handler ?? null,
    memorySize: spec.memorySizeMb,
    timeout: spec.timeoutSeconds,
  };
}

function formatTable(rows: readonly FunctionListing[]): string {
  const header = ['PATH', 'LOGICAL ID', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT'];
  const cells = rows.map((row) => [row.path, row.logicalId, row.runtime ?? '-', row.handler ?? '-', `${row.memorySize} MB`, `${row.timeout} s`]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (cell: string[]): string => cell.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** Prints the app's functions; returns the exit code. */
async function runList(args: ListArguments, streams: CliStreams, signal: AbortSignal): Promise<number> {
  // Only the assembly is read: listing starts no environment and loads none of that code.
  const { directory } = await loadCloudAssembly({
    cwd: process.cwd(),
    signal,
    onSynthesize: (command) => writeNotice(streams, `synthesizing the app: ${command}`),
    ...(args.app === undefined ? {} : { app: args.app }),
  });
  const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const assembly = await readAssembly(directory, region === undefined ? {} : { defaultRegion: region });
  for (const warning of assembly.warnings) writeNotice(streams, warning);
  const rows = assembly.functions.map(toListing);
  if (args.json) {
    streams.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    streams.stderr.write('The app has no Lambda functions.\n');
  } else {
    streams.stdout.write(`${formatTable(rows)}\n`);
  }
  return 0;
}

/** The options of `cdk-local list`. */
function listOptions(yargs: Argv) {
  return withAppOptions(yargs).option('json', { type: 'boolean', default: false, describe: 'Print a JSON array' });
}

/** `cdk-local list`. */
export function listCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof listOptions>> {
  return {
    command: 'list',
    describe: 'List every Lambda function of the app',
    builder: listOptions,
    handler: async (args) => {
      setExitCode(await runList(args, streams, signal));
    },
  };
}
