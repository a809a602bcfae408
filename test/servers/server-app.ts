// The CDK app the server tests synthesize in-process, and what they share: a LocalLambda on
// it whose functions carry a marker, a way to find their processes, an SDK client.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LocalLambda, type LocalLambdaOptions } from '../../lib/host/index.js';

/** The handlers of the app's functions. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/servers/', import.meta.url));

/** Logical IDs and names the tests use. */
export const NAMED_FUNCTION = 'named-echo';

/**
 * Synthesizes `ServerStack` into `outdir`: Echo, Named (FunctionName, layer, JSON logs,
 * arm64), Thrower, Streamer, Sleeper (1 s timeout), Chatty, and Counter with reserved
 * concurrency 4.
 */
export function synthesizeServerApp(outdir: string): void {
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
    },
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new Stack(app, 'ServerStack', { env: { region: 'us-east-1', account: '111122223333' } });
  const code = (name: string) => lambda.Code.fromAsset(join(FIXTURES, name));
  const node = { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler' };
  new lambda.Function(stack, 'Echo', { ...node, code: code('echo'), environment: { GREETING: 'hello' } });
  new lambda.Function(stack, 'Named', {
    ...node,
    code: code('echo'),
    functionName: NAMED_FUNCTION,
    memorySize: 256,
    timeout: Duration.seconds(7),
    architecture: lambda.Architecture.ARM_64,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.DEBUG,
    tracing: lambda.Tracing.ACTIVE,
    environment: { GREETING: 'named' },
    layers: [new lambda.LayerVersion(stack, 'Layer', { code: code('layer') })],
  });
  new lambda.Function(stack, 'Thrower', { ...node, code: code('thrower') });
  new lambda.Function(stack, 'Streamer', { ...node, code: code('streamer') });
  new lambda.Function(stack, 'Sleeper', { ...node, code: code('sleeper'), timeout: Duration.seconds(1) });
  new lambda.Function(stack, 'Chatty', { ...node, code: code('chatty') });
  new lambda.Function(stack, 'Counter', { ...node, code: code('counter'), reservedConcurrentExecutions: 4 });
  app.synth();
}

/** A synthesized app in a temp directory, and a marker its functions carry in their environment. */
export interface ServerApp {
  readonly directory: string;
  readonly marker: string;
  /** A LocalLambda on the app whose functions carry the marker. */
  open(options?: LocalLambdaOptions): Promise<LocalLambda>;
  remove(): Promise<void>;
}

/** Synthesizes the app into a fresh temp directory. */
export async function createServerApp(): Promise<ServerApp> {
  const directory = await mkdtemp(join(tmpdir(), 'cdk-local-servers-'));
  synthesizeServerApp(join(directory, 'cdk.out'));
  const marker = randomUUID();
  return {
    directory: join(directory, 'cdk.out'),
    marker,
    open: (options = {}) =>
      LocalLambda.fromAssembly(join(directory, 'cdk.out'), {
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
        cacheDirectory: join(directory, 'cache'),
        envVars: { Parameters: { CDK_LOCAL_TEST_MARKER: marker } },
        ...options,
      }),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/** Live processes whose environment carries `marker`: the runtimes a test started. */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.includes(`CDK_LOCAL_TEST_MARKER=${marker}`)) found.push(Number(entry));
  }
  return found;
}

/** An SDK client for a local endpoint: dummy credentials, no retries (a 429 stays a 429). */
export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}
