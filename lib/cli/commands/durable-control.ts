import type { Argv, CommandModule } from 'yargs';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { CliStreams } from '../output.js';
import type { ArgumentsOf } from './common-options.js';

/** Where `start-lambda` listens unless told otherwise. */
export const DEFAULT_ENDPOINT_URL = 'http://127.0.0.1:3001';

interface EndpointArguments {
  readonly endpointUrl: string;
  readonly debug: boolean;
}

function withEndpointOption<T>(yargs: Argv<T>): Argv<T & EndpointArguments> {
  return yargs
    .option('endpoint-url', { type: 'string', default: DEFAULT_ENDPOINT_URL, describe: 'The Lambda API of a running cdk-local start-lambda' })
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces' }) as unknown as Argv<T & EndpointArguments>;
}

/** A Lambda client for a local endpoint: start-lambda checks no signature, so any credentials do. */
async function lambdaClient(endpointUrl: string, region = 'us-east-1') {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  return new LambdaClient({ endpoint: endpointUrl, region, credentials: { accessKeyId: 'AKIDCDKLOCAL', secretAccessKey: 'cdk-local' }, maxAttempts: 1 });
}

/** The region of an execution ARN, for the client's signature. */
function regionOf(arn: string): string | undefined {
  return /^arn:[^:]+:lambda:([^:]+):/.exec(arn)?.[1];
}

/** Turns the SDK's failure to reach the endpoint or its service error into one sentence. */
function explain(error: unknown, endpointUrl: string): CdkLocalError {
  const failure = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (failure.$metadata?.httpStatusCode === undefined) {
    return new CdkLocalError(ErrorCodes.USAGE, `Nothing answers at ${endpointUrl} (${failure.code ?? failure.message ?? String(error)}); start cdk-local start-lambda there, or give its address with --endpoint-url.`);
  }
  return new CdkLocalError(ErrorCodes.USAGE, `${failure.name ?? 'Error'}: ${failure.message ?? ''}`);
}

/** Prints an SDK answer without its metadata. */
function printJson(streams: CliStreams, output: object): void {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  streams.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
}

function parseJsonArgument(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    JSON.parse(text);
  } catch {
    throw new CdkLocalError(ErrorCodes.USAGE, `${name} must be JSON, not '${text}'; quote strings as '"text"'.`);
  }
  return text;
}

function executionOptions(yargs: Argv) {
  return withEndpointOption(yargs)
    .positional('action', { choices: ['get', 'history', 'stop'] as const, demandOption: true, describe: 'What to do with the execution' })
    .positional('arn', { type: 'string', demandOption: true, describe: 'The durable execution ARN' })
    .option('error', { type: 'string', describe: 'stop: the error to record, as JSON {"ErrorType","ErrorMessage"}' });
}

/** `cdk-local execution get|history|stop ARN`. */
export function executionCommand(streams: CliStreams, _signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof executionOptions>> {
  return {
    command: 'execution <action> <arn>',
    describe: 'Show, follow or stop a durable execution of a running start-lambda',
    builder: executionOptions,
    handler: async (args) => {
      const sdk = await import('@aws-sdk/client-lambda');
      const client = await lambdaClient(args.endpointUrl, regionOf(args.arn));
      try {
        if (args.action === 'get') {
          printJson(streams, await client.send(new sdk.GetDurableExecutionCommand({ DurableExecutionArn: args.arn, IncludeExecutionData: true })));
        } else if (args.action === 'history') {
          const events: unknown[] = [];
          let marker: string | undefined;
          do {
            const page = await client.send(new sdk.GetDurableExecutionHistoryCommand({ DurableExecutionArn: args.arn, IncludeExecutionData: true, Marker: marker }));
            events.push(...(page.Events ?? []));
            marker = page.NextMarker;
          } while (marker !== undefined && marker !== '');
          printJson(streams, { Events: events });
        } else {
          const error = parseJsonArgument('--error', args.error);
          printJson(streams, await client.send(new sdk.StopDurableExecutionCommand({ DurableExecutionArn: args.arn, ...(error === undefined ? {} : { Error: JSON.parse(error) as Record<string, string> }) })));
        }
      } catch (error) {
        throw explain(error, args.endpointUrl);
      } finally {
        client.destroy();
      }
      setExitCode(0);
    },
  };
}

function callbackOptions(yargs: Argv) {
  return withEndpointOption(yargs)
    .positional('action', { choices: ['succeed', 'fail', 'heartbeat'] as const, demandOption: true, describe: 'How to answer the callback' })
    .positional('id', { type: 'string', demandOption: true, describe: 'The callback id (invoke prints it)' })
    .option('result', { type: 'string', describe: 'succeed: the result, as JSON' })
    .option('error', { type: 'string', describe: 'fail: the error, as JSON {"ErrorType","ErrorMessage"}' });
}

/** `cdk-local callback succeed|fail|heartbeat ID`. */
export function callbackCommand(streams: CliStreams, _signal: AbortSignal, setExitCode: (code: number) => void): CommandModule<object, ArgumentsOf<typeof callbackOptions>> {
  return {
    command: 'callback <action> <id>',
    describe: 'Answer a callback a durable execution of a running start-lambda (or invoke) waits for',
    builder: callbackOptions,
    handler: async (args) => {
      const sdk = await import('@aws-sdk/client-lambda');
      const result = parseJsonArgument('--result', args.result);
      const error = parseJsonArgument('--error', args.error);
      const client = await lambdaClient(args.endpointUrl);
      try {
        if (args.action === 'succeed') {
          await client.send(new sdk.SendDurableExecutionCallbackSuccessCommand({ CallbackId: args.id, ...(result === undefined ? {} : { Result: Buffer.from(result) }) }));
        } else if (args.action === 'fail') {
          await client.send(new sdk.SendDurableExecutionCallbackFailureCommand({ CallbackId: args.id, ...(error === undefined ? {} : { Error: JSON.parse(error) as Record<string, string> }) }));
        } else {
          await client.send(new sdk.SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: args.id }));
        }
      } catch (failure) {
        throw explain(failure, args.endpointUrl);
      } finally {
        client.destroy();
      }
      streams.stderr.write(`cdk-local: callback ${args.action === 'succeed' ? 'succeeded' : args.action === 'fail' ? 'failed' : 'heartbeat sent'}\n`);
      setExitCode(0);
    },
  };
}
