/**
 * What the Lambda service would know about one function, read from the cloud assembly.
 * Plain, immutable data: built once by readAssembly() and never changed afterwards.
 */

/** Where a function's (or a layer's) code is, before it is made ready to run. */
export type CodeLocation =
  /** An asset directory of the assembly, used as is. */
  | { readonly kind: 'directory'; readonly path: string }
  /** An asset zip file of the assembly; unpacked into a cache before the first run. */
  | { readonly kind: 'zip'; readonly path: string }
  /** Inline `ZipFile` code; written to `fileName` (index.js, index.py) in a directory before the first run. */
  | { readonly kind: 'inline'; readonly source: string; readonly fileName: string }
  /** A container image (`PackageType: Image`); cannot run without Docker. */
  | { readonly kind: 'image'; readonly imageUri?: string }
  /** Code in S3 that the assembly does not carry (a bucket/key not from an asset). */
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string };

/** One layer of a function, in the order the function lists them. */
export interface LayerSpec {
  /** The layer's logical ID when it is defined in the app. */
  readonly logicalId?: string;
  /** The layer version ARN as the function refers to it (resolved or a placeholder). */
  readonly arn: string;
  /** Where its code is; undefined for a layer from outside the app (an ARN), which cannot be fetched. */
  readonly code?: CodeLocation;
}

/** `LoggingConfig` of the function. */
export interface LoggingSpec {
  /** @default 'Text' */
  readonly logFormat: 'Text' | 'JSON';
  /** Only with JSON: TRACE | DEBUG | INFO | WARN | ERROR | FATAL. */
  readonly applicationLogLevel?: string;
  /** Only with JSON: DEBUG | INFO | WARN. */
  readonly systemLogLevel?: string;
  /** @default `/aws/lambda/<functionName>` */
  readonly logGroup: string;
}

/** A function URL (`AWS::Lambda::Url`) that targets the function. */
export interface FunctionUrlSpec {
  readonly authType: 'NONE' | 'AWS_IAM';
  /** @default 'BUFFERED' */
  readonly invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  readonly cors?: Readonly<Record<string, unknown>>;
}

/**
 * `CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig` of the function: it runs
 * on Lambda Managed Instances, several invocations at once in each execution environment.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html
 */
export interface ManagedInstancesSpec {
  /** The capacity provider's ARN (resolved, or a placeholder). */
  readonly capacityProviderArn: string;
  /**
   * Invocations one execution environment runs at once: `PerExecutionEnvironmentMaxConcurrency`,
   * else the runtime's default per vCPU (Node.js 64, Python 16) times the environment's vCPUs.
   */
  readonly perExecutionEnvironmentMaxConcurrency: number;
  /** `ExecutionEnvironmentMemoryGiBPerVCpu`. @default 2 */
  readonly memoryGiBPerVCpu: number;
  /** `FunctionScalingConfig.MaxExecutionEnvironments`, when the template sets it. */
  readonly maxExecutionEnvironments?: number;
}

/** `DurableConfig` of a durable function: its executions are checkpointed, replayed workflows. */
export interface DurableSpec {
  /** How long an execution may run before it is stopped as TIMED_OUT. */
  readonly executionTimeoutSeconds: number;
  /** How many days a closed execution's history is kept. @default 14 */
  readonly retentionPeriodInDays: number;
}

/** An environment variable whose value CloudFormation would only know at deploy time. */
export interface UnresolvedVariable {
  /** The variable's name. */
  readonly name: string;
  /** The placeholder value the function gets. */
  readonly placeholder: string;
  /** Why it could not be resolved, in a few words (e.g. "Fn::GetAtt Queue.QueueUrl"). */
  readonly reason: string;
}

/** Everything the service would know about one `AWS::Lambda::Function`. */
export interface FunctionSpec {
  /**
   * CloudFormation name of the stack holding the function (`DemoStack`, `Prod-ApiStack` in
   * a stage); for a function in a nested stack, its top-level stack.
   */
  readonly stackName: string;
  /** Display name of the stack, including stage prefixes (e.g. `Prod/ApiStack`). */
  readonly stackDisplayName: string;
  /** Construct path without the trailing `/Resource`, e.g. `DemoStack/Api/Handler`. */
  readonly constructPath: string;
  /** Logical ID in its own template. */
  readonly logicalId: string;
  /** Physical function name: `FunctionName`, or the name CloudFormation would generate. */
  readonly functionName: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`. */
  readonly functionArn: string;
  readonly region: string;
  readonly accountId: string;
  /** `$LATEST` for the function itself; a version's number for a version of it (see {@link versionSpec}). */
  readonly version: string;
  /** e.g. `nodejs20.x`, `python3.12`, `provided.al2023`; undefined for images. */
  readonly runtime?: string;
  /** e.g. `index.handler`; undefined for images and sometimes for provided runtimes. */
  readonly handler?: string;
  /** @default 'x86_64' */
  readonly architecture: 'x86_64' | 'arm64';
  /** @default 128 */
  readonly memorySizeMb: number;
  /** @default 3 */
  readonly timeoutSeconds: number;
  /** @default 512 */
  readonly ephemeralStorageMb: number;
  /** The function's own variables, intrinsics resolved (reserved variables are not here). */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables whose value is a placeholder. */
  readonly unresolvedEnvironment: readonly UnresolvedVariable[];
  readonly code: CodeLocation;
  readonly layers: readonly LayerSpec[];
  readonly logging: LoggingSpec;
  /** @default 'PassThrough' */
  readonly tracingMode: 'PassThrough' | 'Active';
  readonly reservedConcurrency?: number;
  readonly functionUrl?: FunctionUrlSpec;
  /** The function's `AWS::Lambda::Version`s, numbered 1, 2, ... in template order. @default none */
  readonly versions?: readonly VersionSpec[];
  /** The function's `AWS::Lambda::Alias`es, in template order. @default none */
  readonly aliases?: readonly AliasSpec[];
  /** `TenancyConfig.TenantIsolationMode`: each invocation names a tenant, whose environments are its own. */
  readonly tenantIsolationMode?: 'PER_TENANT';
  /** Set when the function runs on Lambda Managed Instances. */
  readonly managedInstances?: ManagedInstancesSpec;
  /** Set when the function is durable (`DurableConfig`). */
  readonly durable?: DurableSpec;
}

/** One `AWS::Lambda::Version` of a function: a snapshot of its configuration as the template declares it. */
export interface VersionSpec {
  /** The version number, `1` for the first version the template declares. */
  readonly version: string;
  readonly logicalId: string;
  /** @default '' */
  readonly description: string;
  /** `ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions`; read, not emulated. */
  readonly provisionedConcurrency?: number;
}

/** One `AWS::Lambda::Alias` of a function. */
export interface AliasSpec {
  readonly name: string;
  readonly logicalId: string;
  /** The version it points at: a number, or `$LATEST`. */
  readonly functionVersion: string;
  /** `RoutingConfig.AdditionalVersionWeights`: a share (0 to 1) of invocations that go to another version. */
  readonly additionalVersionWeights: readonly { readonly version: string; readonly weight: number }[];
  /** @default '' */
  readonly description: string;
  /** `ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions`; read, not emulated. */
  readonly provisionedConcurrency?: number;
}
