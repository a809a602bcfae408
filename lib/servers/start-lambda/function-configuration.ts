import { createHash } from 'node:crypto';
import type { CodeLocation, FunctionSpec } from '../../assembly/index.js';
import { LATEST_VERSION } from './lambda-headers.js';

/** `FunctionConfiguration` of the Lambda API, as GetFunction and ListFunctions return it. */
export type FunctionConfiguration = Readonly<Record<string, unknown>>;

/** Lambda's `LastModified` format: `2024-05-01T12:00:00.000+0000`. */
function formatLastModified(date: Date): string {
  return date.toISOString().replace(/Z$/, '+0000');
}

function codeIdentity(code: CodeLocation): string {
  switch (code.kind) {
    case 'directory':
    case 'zip':
      return `${code.kind}:${code.path}`;
    case 'inline':
      return `inline:${code.source}`;
    case 'image':
      return `image:${code.imageUri ?? ''}`;
    case 's3':
      return `s3:${code.bucket}/${code.key}`;
  }
}

/**
 * The configuration the app declares for a function, in the shape of the Lambda API's
 * `FunctionConfiguration`. What only exists once deployed is left out (Role, VpcConfig,
 * CodeSize is 0); `CodeSha256` hashes where the code is, not a deployment package.
 * https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
 */
export function toFunctionConfiguration(spec: FunctionSpec, lastModified: Date): FunctionConfiguration {
  const image = spec.code.kind === 'image';
  const logging = spec.logging;
  return {
    FunctionName: spec.functionName,
    FunctionArn: spec.functionArn,
    ...(spec.runtime === undefined ? {} : { Runtime: spec.runtime }),
    ...(spec.handler === undefined ? {} : { Handler: spec.handler }),
    CodeSize: 0,
    Description: '',
    Timeout: spec.timeoutSeconds,
    MemorySize: spec.memorySizeMb,
    LastModified: formatLastModified(lastModified),
    CodeSha256: createHash('sha256').update(codeIdentity(spec.code)).digest('base64'),
    Version: LATEST_VERSION,
    ...(Object.keys(spec.environment).length === 0 ? {} : { Environment: { Variables: { ...spec.environment } } }),
    TracingConfig: { Mode: spec.tracingMode },
    RevisionId: createHash('sha256').update(`${spec.functionArn}@${lastModified.getTime()}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    ...(spec.layers.length === 0 ? {} : { Layers: spec.layers.map((layer) => ({ Arn: layer.arn, CodeSize: 0 })) }),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: image ? 'Image' : 'Zip',
    Architectures: [spec.architecture],
    EphemeralStorage: { Size: spec.ephemeralStorageMb },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: {
      LogFormat: logging.logFormat,
      ...(logging.applicationLogLevel === undefined ? {} : { ApplicationLogLevel: logging.applicationLogLevel }),
      ...(logging.systemLogLevel === undefined ? {} : { SystemLogLevel: logging.systemLogLevel }),
      LogGroup: logging.logGroup,
    },
    ...(spec.managedInstances === undefined
      ? {}
      : {
          CapacityProviderConfig: {
            LambdaManagedInstancesCapacityProviderConfig: {
              CapacityProviderArn: spec.managedInstances.capacityProviderArn,
              PerExecutionEnvironmentMaxConcurrency: spec.managedInstances.perExecutionEnvironmentMaxConcurrency,
              ExecutionEnvironmentMemoryGiBPerVCpu: spec.managedInstances.memoryGiBPerVCpu,
            },
          },
        }),
  };
}

/** The body of GetFunction: configuration, code, tags and reserved concurrency. */
export function toGetFunctionResponse(spec: FunctionSpec, lastModified: Date): Record<string, unknown> {
  const code = spec.code;
  return {
    Configuration: toFunctionConfiguration(spec, lastModified),
    Code: code.kind === 'image' ? { RepositoryType: 'ECR', ...(code.imageUri === undefined ? {} : { ImageUri: code.imageUri }) } : { RepositoryType: 'S3' },
    // The tags CloudFormation puts on every function it creates.
    Tags: { 'aws:cloudformation:stack-name': spec.stackName, 'aws:cloudformation:logical-id': spec.logicalId },
    ...(spec.reservedConcurrency === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: spec.reservedConcurrency } }),
  };
}
