// The CDK app the server tests synthesize in-process, and what they share: a LocalLambda on
// it whose functions carry a marker, a way to find their processes, an SDK client.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createMarkedApp, processesWithMarker as processesCarrying, type MarkedApp } from '../helpers/marked-app.js';

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
  // Functions that are not about timeouts get room, so that a busy machine does not time them out.
  const node = { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', timeout: Duration.seconds(30) };
  new lambda.Function(stack, 'Echo', { ...node, code: code('echo'), environment: { GREETING: 'hello' } });
  new lambda.Function(stack, 'Named', {
    ...node,
    code: code('echo'),
    functionName: NAMED_FUNCTION,
    memorySize: 256,
    timeout: Duration.seconds(45),
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

/** The variable every function of the app carries, set to a value unique to one run. */
const MARKER_VARIABLE = 'CDK_LOCAL_TEST_MARKER';

/** A synthesized app in a temp directory, and a marker its functions carry in their environment. */
export interface ServerApp extends MarkedApp {
  /** The cloud assembly directory (as `assembly`). */
  readonly directory: string;
}

/** Synthesizes the app into a fresh temp directory. */
export async function createServerApp(): Promise<ServerApp> {
  const app = await createMarkedApp({
    prefix: 'cdk-local-servers-',
    synthesize: synthesizeServerApp,
    markerVariable: MARKER_VARIABLE,
    defaults: { credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } },
  });
  return { ...app, directory: app.assembly };
}

/** Live processes whose environment carries `marker`: the runtimes a test started. */
export function processesWithMarker(marker: string): Promise<number[]> {
  return processesCarrying(MARKER_VARIABLE, marker);
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
