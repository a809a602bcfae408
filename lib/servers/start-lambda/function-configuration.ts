import { createHash } from 'node:crypto';
import type { AliasSpec, CodeLocation, FunctionSpec } from '../../assembly/index.js';
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
export function toFunctionConfiguration(spec: FunctionSpec, lastModified: Date, qualifier?: string): FunctionConfiguration {
  const image = spec.code.kind === 'image';
  const logging = spec.logging;
  const version = versionOf(spec, qualifier);
  const description = spec.versions?.find((candidate) => candidate.version === version)?.description ?? '';
  return {
    FunctionName: spec.functionName,
    // Qualified by the caller's qualifier, as the service answers a qualified request.
    FunctionArn: qualifier === undefined ? spec.functionArn : `${spec.functionArn}:${qualifier}`,
    ...(spec.runtime === undefined ? {} : { Runtime: spec.runtime }),
    ...(spec.handler === undefined ? {} : { Handler: spec.handler }),
    CodeSize: 0,
    Description: description,
    Timeout: spec.timeoutSeconds,
    MemorySize: spec.memorySizeMb,
    LastModified: formatLastModified(lastModified),
    CodeSha256: createHash('sha256').update(codeIdentity(spec.code)).digest('base64'),
    Version: version,
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
    ...(spec.tenantIsolationMode === undefined ? {} : { TenancyConfig: { TenantIsolationMode: spec.tenantIsolationMode } }),
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

/** The version a qualifier names: an alias's own version (its routing aside), else the qualifier. */
function versionOf(spec: FunctionSpec, qualifier: string | undefined): string {
  if (qualifier === undefined) return LATEST_VERSION;
  return spec.aliases?.find((alias) => alias.name === qualifier)?.functionVersion ?? qualifier;
}

/** `AliasConfiguration` of the Lambda API, as GetAlias and ListAliases return it. */
export function toAliasConfiguration(spec: FunctionSpec, alias: AliasSpec, lastModified: Date): Record<string, unknown> {
  return {
    AliasArn: `${spec.functionArn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(alias.additionalVersionWeights.length === 0
      ? {}
      : { RoutingConfig: { AdditionalVersionWeights: Object.fromEntries(alias.additionalVersionWeights.map(({ version, weight }) => [version, weight])) } }),
    RevisionId: revisionId(`${spec.functionArn}:${alias.name}@${lastModified.getTime()}`),
  };
}

function revisionId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
}

/** The body of GetFunction: configuration, code, tags and reserved concurrency. */
export function toGetFunctionResponse(spec: FunctionSpec, lastModified: Date, qualifier?: string): Record<string, unknown> {
  const code = spec.code;
  return {
    Configuration: toFunctionConfiguration(spec, lastModified, qualifier),
    Code: code.kind === 'image' ? { RepositoryType: 'ECR', ...(code.imageUri === undefined ? {} : { ImageUri: code.imageUri }) } : { RepositoryType: 'S3' },
    // The tags CloudFormation puts on every function it creates.
    Tags: { 'aws:cloudformation:stack-name': spec.stackName, 'aws:cloudformation:logical-id': spec.logicalId },
    ...(spec.reservedConcurrency === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: spec.reservedConcurrency } }),
  };
}
