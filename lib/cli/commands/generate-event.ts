import type { Argv, CommandModule } from 'yargs';
import { loadCloudAssembly, readAssembly, resolveAccount, resolveRegion } from '../../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import { EVENT_SERVICES, findEvent, findService, generateEvent, type EventDefinition, type ServiceDefinition } from '../../events/index.js';
import type { CliStreams } from '../output.js';
import { readTriggerEvent } from '../trigger-event.js';
import { assemblyOptions, withAssemblyOptions, type ArgumentsOf, type AssemblyArguments } from './common-options.js';

interface GenerateEventArguments extends AssemblyArguments {
  readonly service?: string;
  readonly event?: string;
  readonly for?: string;
  readonly trigger?: number;
}

function writeJson(streams: CliStreams, value: unknown): void {
  streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join('\n');
}

function listServices(streams: CliStreams): void {
  streams.stdout.write(
    `Services (cdk-local generate-event SERVICE to see their events):\n${table(EVENT_SERVICES.map((service) => [service.name, service.describe]))}\n`,
  );
}

function listEvents(streams: CliStreams, service: ServiceDefinition): void {
  streams.stdout.write(
    `Events of ${service.name} (cdk-local generate-event ${service.name} EVENT --help for their options):\n${table(service.events.map((event) => [event.name, event.describe]))}\n`,
  );
}

/** Prints the event of a function's trigger as the app wires it. */
async function runForFunction(args: GenerateEventArguments, streams: CliStreams, signal: AbortSignal): Promise<void> {
  if (args.service !== undefined) {
    throw new CdkLocalError(ErrorCodes.USAGE, `Give either a service (${args.service}) or --for FUNCTION, not both.`);
  }
  // The app is read as every command reads it: -c, --region, --account, --synth, the reuse of a cdk.out.
  const { directory } = await loadCloudAssembly({ cwd: process.cwd(), signal, ...assemblyOptions(args, streams) });
  const region = resolveRegion(args.region);
  const assembly = await readAssembly(directory, { defaultRegion: region, defaultAccount: resolveAccount(args.account) });
  const { event } = await readTriggerEvent({
    directory,
    functions: assembly.functions,
    functionName: args.for ?? '',
    ...(args.trigger === undefined ? {} : { trigger: args.trigger }),
    defaultRegion: region,
  });
  writeJson(streams, event);
}

/** The options of `generate-event` when no event command matched. */
function fallbackOptions(yargs: Argv) {
  return withAssemblyOptions(yargs)
    .positional('service', { type: 'string', describe: 'The service (s3, sqs, apigateway, ...)' })
    .positional('event', { type: 'string', describe: "The service's event (put, receive-message, aws-proxy, ...)" })
    .option('for', { type: 'string', describe: "Print the event of this function's trigger, as the app wires it" })
    .option('trigger', { type: 'number', describe: 'With --for: which trigger (1, 2, ...) when the function has several' });
}

/** `generate-event [SERVICE] [EVENT]` when no event command matched: listings, `--for`, and errors naming what exists. */
function fallbackCommand(streams: CliStreams, signal: AbortSignal): CommandModule<object, ArgumentsOf<typeof fallbackOptions>> {
  return {
    command: '$0 [service] [event]',
    describe: false,
    builder: fallbackOptions,
    handler: async (args) => {
      if (args.for !== undefined) return runForFunction(args, streams, signal);
      if (args.trigger !== undefined) throw new CdkLocalError(ErrorCodes.USAGE, '--trigger picks a trigger of the function given with --for FUNCTION.');
      if (args.service === undefined) return listServices(streams);
      // A service that exists would have matched its own command: this names the ones there are.
      findService(args.service);
      throw new CdkLocalError(ErrorCodes.USAGE, `No service '${args.service}'.`);
    },
  };
}

/** The options of `generate-event SERVICE` when no event of the service matched. */
function serviceFallbackOptions(yargs: Argv) {
  return yargs.positional('event', { type: 'string', describe: "The service's event" });
}

/** `generate-event SERVICE [EVENT]` when no event of the service matched: its listing, or an error naming its events. */
function serviceFallbackCommand(service: ServiceDefinition, streams: CliStreams): CommandModule<object, ArgumentsOf<typeof serviceFallbackOptions>> {
  return {
    command: '$0 [event]',
    describe: false,
    builder: serviceFallbackOptions,
    handler: (args) => {
      if (args.event === undefined) return listEvents(streams, service);
      // An event that exists would have matched its own command: this names the ones there are.
      findEvent(service.name, args.event);
      throw new CdkLocalError(ErrorCodes.USAGE, `No event '${args.event}' for ${service.name}.`);
    },
  };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function eventCommand(service: ServiceDefinition, event: EventDefinition, streams: CliStreams): CommandModule<object, Record<string, unknown>> {
  return {
    command: event.name,
    describe: event.describe,
    builder: (yargs) => {
      // Options the event does not have are reported by generateEvent(), naming those it has.
      let withOptions: Argv<Record<string, unknown>> = yargs.strict(false);
      for (const option of event.options) {
        withOptions = withOptions.option(option.name, {
          type: 'string',
          describe: option.describe,
          ...(option.default === '' ? {} : { default: option.default }),
        });
      }
      return withOptions;
    },
    handler: (args) => {
      const extra = (args['_'] as unknown[]).slice(3);
      if (extra.length > 0) {
        throw new CdkLocalError(ErrorCodes.USAGE, `${service.name} ${event.name} takes no argument '${String(extra[0])}'; give values as --option value.`);
      }
      const known = new Set(['_', '$0', 'help', 'version', ...event.options.flatMap((option) => [option.name, camelCase(option.name)])]);
      const values: Record<string, string> = {};
      for (const [name, value] of Object.entries(args)) {
        if (value === undefined || (known.has(name) && !event.options.some((option) => option.name === name))) continue;
        // yargs adds a camelCase copy of every dashed option it does not know.
        if (/[A-Z]/.test(name) && Object.hasOwn(args, kebabCase(name))) continue;
        values[name] = String(value);
      }
      writeJson(streams, generateEvent(service.name, event.name, values));
    },
  };
}

function serviceCommand(service: ServiceDefinition, streams: CliStreams): CommandModule {
  return {
    command: service.name,
    describe: service.describe,
    builder: (yargs) => {
      let withEvents: Argv = yargs;
      for (const event of service.events) withEvents = withEvents.command(eventCommand(service, event, streams));
      return withEvents.command(serviceFallbackCommand(service, streams) as CommandModule);
    },
    handler: () => undefined,
  };
}

/** `cdk-local generate-event [SERVICE EVENT [--option value ...]] | --for FUNCTION [--trigger N]`. */
export function generateEventCommand(streams: CliStreams, signal: AbortSignal, setExitCode: (code: number) => void): CommandModule {
  return {
    command: 'generate-event',
    describe: "Print a sample event of a service, or the event of a function's trigger (--for)",
    builder: (yargs) => {
      let withServices: Argv = yargs.usage(
        '$0 generate-event SERVICE EVENT [--option value ...]\n$0 generate-event --for FUNCTION [--trigger N]\n\nPrint an event as the service sends it to a function.',
      );
      for (const service of EVENT_SERVICES) withServices = withServices.command(serviceCommand(service, streams));
      return withServices.command(fallbackCommand(streams, signal) as CommandModule);
    },
    handler: () => {
      setExitCode(0);
    },
  };
}
