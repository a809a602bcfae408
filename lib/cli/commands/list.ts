import type { Argv, CommandModule } from 'yargs';
import { loadCloudAssembly, readAssembly, resolveAccount, resolveRegion, type ApiSpec, type FunctionSpec } from '../../assembly/index.js';
import { writeNotice, type CliStreams } from '../output.js';
import { assemblyOptions, withAssemblyOptions, type ArgumentsOf, type AssemblyArguments } from './common-options.js';

interface ListArguments extends AssemblyArguments {
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
  /** What calls the function: API routes (`REST API DemoStack/Api: GET /items`) and function URLs. */
  readonly triggers: readonly string[];
  /** The version numbers the app declares (only when it declares some). */
  readonly versions?: readonly string[];
  /** The aliases the app declares (only when it declares some). */
  readonly aliases?: readonly { readonly name: string; readonly functionVersion: string; readonly additionalVersionWeights?: Readonly<Record<string, number>> }[];
  /** `PER_TENANT` for a function with tenant isolation. */
  readonly tenantIsolationMode?: string;
  /** Set for a durable function (`DurableConfig`): how long an execution may run. */
  readonly durable?: { readonly executionTimeoutSeconds: number };
  /** Set for a function on Lambda Managed Instances: invocations at once in one environment. */
  readonly managedInstances?: { readonly perExecutionEnvironmentMaxConcurrency: number };
}

/** The API routes and function URLs that invoke each function. */
function triggersByFunction(apis: readonly ApiSpec[]): Map<FunctionSpec, string[]> {
  const triggers = new Map<FunctionSpec, string[]>();
  const add = (spec: FunctionSpec, text: string): void => void (triggers.get(spec) ?? triggers.set(spec, []).get(spec)!).push(text);
  for (const api of apis) {
    if (api.kind === 'url') add(api.function, `function URL ${api.constructPath} (${api.invokeMode}, auth ${api.authType})`);
    const routes = api.kind === 'rest' ? api.routes.map((route) => ({ key: `${route.httpMethod} ${route.resourcePath}`, integration: route.integration })) : api.kind === 'url' ? [] : api.routes.map((route) => ({ key: route.routeKey, integration: route.integration }));
    const kind = api.kind === 'rest' ? 'REST API' : api.kind === 'http' ? 'HTTP API' : 'WebSocket API';
    for (const route of routes) if (route.integration.kind === 'lambda-proxy' || route.integration.kind === 'lambda') add(route.integration.function, `${kind} ${api.constructPath}: ${route.key}`);
  }
  return triggers;
}

function toListing(spec: FunctionSpec, triggers: readonly string[] = []): FunctionListing {
  return {
    path: spec.constructPath,
    logicalId: spec.logicalId,
    stack: spec.stackDisplayName,
    functionName: spec.functionName,
    runtime: spec.runtime ?? (spec.code.kind === 'image' ? 'image' : null),
    handler: spec.handler ?? null,
    memorySize: spec.memorySizeMb,
    timeout: spec.timeoutSeconds,
    triggers,
    ...(spec.versions === undefined ? {} : { versions: spec.versions.map((version) => version.version) }),
    ...(spec.aliases === undefined
      ? {}
      : {
          aliases: spec.aliases.map((alias) => ({
            name: alias.name,
            functionVersion: alias.functionVersion,
            ...(alias.additionalVersionWeights.length === 0
              ? {}
              : { additionalVersionWeights: Object.fromEntries(alias.additionalVersionWeights.map(({ version, weight }) => [version, weight])) }),
          })),
        }),
    ...(spec.tenantIsolationMode === undefined ? {} : { tenantIsolationMode: spec.tenantIsolationMode }),
    ...(spec.durable === undefined ? {} : { durable: { executionTimeoutSeconds: spec.durable.executionTimeoutSeconds } }),
    ...(spec.managedInstances === undefined ? {} : { managedInstances: { perExecutionEnvironmentMaxConcurrency: spec.managedInstances.perExecutionEnvironmentMaxConcurrency } }),
  };
}

/** The lines under a function for its versions, aliases, tenancy, durability and compute. */
function qualifierLines(row: FunctionListing): string[] {
  const lines: string[] = [];
  if (row.versions !== undefined) lines.push(`  versions: ${row.versions.join(', ')}`);
  for (const alias of row.aliases ?? []) {
    const routing = Object.entries(alias.additionalVersionWeights ?? {}).map(([version, weight]) => `${Math.round(weight * 1000) / 10}% to ${version}`);
    lines.push(`  alias ${alias.name} -> ${alias.functionVersion}${routing.length === 0 ? '' : ` (${routing.join(', ')})`}`);
  }
  if (row.tenantIsolationMode !== undefined) lines.push(`  tenant isolation: ${row.tenantIsolationMode} (invoke with --tenant-id)`);
  if (row.durable !== undefined) lines.push(`  durable: executions of up to ${row.durable.executionTimeoutSeconds} s (invoke runs one to its end)`);
  if (row.managedInstances !== undefined) lines.push(`  Lambda Managed Instances: up to ${row.managedInstances.perExecutionEnvironmentMaxConcurrency} invocations at once per environment`);
  return lines;
}

function formatTable(rows: readonly FunctionListing[]): string {
  const header = ['PATH', 'LOGICAL ID', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT'];
  const cells = rows.map((row) => [row.path, row.logicalId, row.runtime ?? '-', row.handler ?? '-', `${row.memorySize} MB`, `${row.timeout} s`]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const line = (cell: string[]): string => cell.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd();
  // Triggers go under their function, so the columns stay as they are.
  return [line(header), ...cells.flatMap((cell, index) => [line(cell), ...qualifierLines(rows[index]!), ...rows[index]!.triggers.map((trigger) => `  <- ${trigger}`)])].join('\n');
}

/** Prints the app's functions; returns the exit code. */
export async function runList(args: ListArguments, streams: CliStreams, signal: AbortSignal): Promise<number> {
  // Only the assembly is read: listing starts no environment and loads none of that code.
  const { directory } = await loadCloudAssembly({ cwd: process.cwd(), signal, ...assemblyOptions(args, streams) });
  const assembly = await readAssembly(directory, { defaultRegion: resolveRegion(args.region), defaultAccount: resolveAccount(args.account) });
  for (const warning of assembly.warnings) writeNotice(streams, warning);
  const triggers = triggersByFunction(assembly.apis);
  const rows = assembly.functions.map((spec) => toListing(spec, triggers.get(spec)));
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
  return withAssemblyOptions(yargs).option('json', { type: 'boolean', default: false, describe: 'Print a JSON array' });
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
