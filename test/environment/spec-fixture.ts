import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from '../../lib/assembly/function-spec.js';

/** The directory of a tiny runtime fixture under test/fixtures/runtimes/. */
export function runtimeFixture(family: string, name: string): string {
  return fileURLToPath(new URL(`../fixtures/runtimes/${family}/${name}/`, import.meta.url));
}

/** A FunctionSpec as the assembly reader would make it, for environment tests. */
export function makeSpec(overrides: Partial<FunctionSpec> & { codeDirectory: string }): FunctionSpec {
  const { codeDirectory, ...rest } = overrides;
  const functionName = rest.functionName ?? 'TestStack-Fn-ABCDEFGHIJKL';
  return {
    stackName: 'TestStack',
    stackDisplayName: 'TestStack',
    constructPath: 'TestStack/Fn',
    logicalId: 'Fn1234ABCD',
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    region: 'us-east-1',
    accountId: '123456789012',
    version: '$LATEST',
    runtime: 'provided.al2023',
    handler: 'bootstrap',
    architecture: 'x86_64',
    memorySizeMb: 128,
    // Generous, so that a busy machine does not turn a test that is not about timeouts into one.
    timeoutSeconds: 30,
    ephemeralStorageMb: 512,
    environment: {},
    unresolvedEnvironment: [],
    code: { kind: 'directory', path: codeDirectory },
    layers: [],
    logging: { logFormat: 'Text', logGroup: `/aws/lambda/${functionName}` },
    tracingMode: 'PassThrough',
    ...rest,
  };
}
