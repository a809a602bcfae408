// The CDK app the durable function tests synthesize in-process: a durable workflow, a durable
// child it invokes, and a plain function, all on nodejs22.x with AWS's durable execution SDK.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createMarkedApp, processesWithMarker as processesCarrying, type MarkedApp } from '../helpers/marked-app.js';
import { TEST_RUNTIME_CACHE } from '../runtimes/provision/fake-services.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/durable/', import.meta.url));

/** The functions' names, as chained invokes and the SDK name them. */
export const WORKFLOW = 'durable-workflow';
export const CHILD = 'child';
export const PLAIN = 'plain';
export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';
const MARKER_VARIABLE = 'CDK_LOCAL_DURABLE_TEST_MARKER';

/** Synthesizes `DurableStack` into `outdir`. */
export function synthesizeDurableApp(outdir: string): void {
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-version-reporting': true },
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new Stack(app, 'DurableStack', { env: { region: REGION, account: ACCOUNT } });
  const code = (name: string) => lambda.Code.fromAsset(join(FIXTURES, name));
  // Generous timeouts: a busy machine must not time the functions out.
  const node = { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', timeout: Duration.seconds(60) };
  const durableConfig = { executionTimeout: Duration.minutes(15) };
  new lambda.Function(stack, 'Workflow', { ...node, code: code('workflow'), functionName: WORKFLOW, durableConfig });
  new lambda.Function(stack, 'Child', { ...node, code: code('child'), functionName: CHILD, durableConfig });
  new lambda.Function(stack, 'Plain', { ...node, code: code('plain'), functionName: PLAIN });
  app.synth();
}

/** The synthesized app in a temp directory. */
export function createDurableApp(): Promise<MarkedApp> {
  return createMarkedApp({
    prefix: 'cdk-local-durable-',
    synthesize: synthesizeDurableApp,
    markerVariable: MARKER_VARIABLE,
    defaults: { credentials: 'none', sandbox: false, runtimeCacheDirectory: TEST_RUNTIME_CACHE, projectDirectory: FIXTURES },
  });
}

/** Live processes of the functions a test started. */
export function processesWithMarker(marker: string): Promise<number[]> {
  return processesCarrying(MARKER_VARIABLE, marker);
}

/** An SDK client for a local endpoint: dummy credentials, no retries. */
export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: REGION, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });
}
