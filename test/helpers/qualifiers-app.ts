// A CDK app with versions, aliases and tenant isolation, synthesized in-process, that the
// host, server and command-line tests of qualifiers and tenants share.
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createMarkedApp, type MarkedApp } from './marked-app.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/qualifiers/', import.meta.url));

/** Names the tests use. */
export const VERSIONED_FUNCTION = 'versioned-fn';
export const TENANTED_FUNCTION = 'tenanted-fn';
export const TENANTED_PYTHON_FUNCTION = 'tenanted-py';
export const PLAIN_FUNCTION = 'plain-fn';
/** The variable every function of the app carries, set to a value unique to one run. */
export const QUALIFIERS_MARKER_VARIABLE = 'CDK_LOCAL_TEST_MARKER';

/**
 * Synthesizes `QualifierStack` into `outdir`:
 * - Versioned: version 1 (`currentVersion`), version 2 (`new Version`, described), alias
 *   `live` → 1, alias `canary` → 1 with half of the invocations to 2, alias `warm` → 2 with
 *   provisioned concurrency 1;
 * - Tenanted (Node.js, JSON logs) and TenantedPy (Python), `TenancyConfig: PER_TENANT`;
 * - Plain, with neither.
 */
export function synthesizeQualifiersApp(outdir: string): void {
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-version-reporting': true },
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new Stack(app, 'QualifierStack', { env: { region: 'us-east-1', account: '111122223333' } });
  const node = {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    timeout: Duration.seconds(30),
    code: lambda.Code.fromAsset(`${FIXTURES}node`),
  };
  const versioned = new lambda.Function(stack, 'Versioned', { ...node, functionName: VERSIONED_FUNCTION });
  const first = versioned.currentVersion;
  const second = new lambda.Version(stack, 'SecondVersion', { lambda: versioned, description: 'second' });
  versioned.addAlias('live');
  new lambda.Alias(stack, 'Canary', { aliasName: 'canary', version: first, additionalVersions: [{ version: second, weight: 0.5 }] });
  new lambda.Alias(stack, 'Warm', { aliasName: 'warm', version: second, provisionedConcurrentExecutions: 1 });
  new lambda.Function(stack, 'Tenanted', {
    ...node,
    functionName: TENANTED_FUNCTION,
    tenancyConfig: lambda.TenancyConfig.PER_TENANT,
    loggingFormat: lambda.LoggingFormat.JSON,
  });
  new lambda.Function(stack, 'TenantedPy', {
    runtime: lambda.Runtime.PYTHON_3_12,
    handler: 'index.handler',
    timeout: Duration.seconds(30),
    code: lambda.Code.fromAsset(`${FIXTURES}python`),
    functionName: TENANTED_PYTHON_FUNCTION,
    tenancyConfig: lambda.TenancyConfig.PER_TENANT,
  });
  new lambda.Function(stack, 'Plain', { ...node, functionName: PLAIN_FUNCTION });
  app.synth();
}

/** Synthesizes the app into a fresh temp directory, with a marker for its processes. */
export function createQualifiersApp(): Promise<MarkedApp> {
  return createMarkedApp({
    prefix: 'cdk-local-qualifiers-',
    synthesize: synthesizeQualifiersApp,
    markerVariable: QUALIFIERS_MARKER_VARIABLE,
    defaults: { credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } },
  });
}
