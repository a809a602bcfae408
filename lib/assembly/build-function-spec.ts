import { isRecord } from './cfn-template.js';
import type { FunctionSpec, FunctionUrlSpec, LayerSpec, LoggingSpec, UnresolvedVariable } from './function-spec.js';
import { readManagedInstances } from './read-managed-instances.js';
import { locateCode } from './locate-code.js';
import type { FunctionQualifiers } from './read-versions.js';
import { NO_VALUE, stringifyResolved, type ResolvedValue } from './resolved-value.js';
import type { TemplateScope } from './template-scope.js';

/** What {@link buildFunctionSpec} needs besides the function itself. */
export interface BuildFunctionSpecOptions {
  /** Function URLs of the function's template, by function logical ID. */
  readonly functionUrls: ReadonlyMap<string, FunctionUrlSpec>;
  /** Versions and aliases of the function's template, by function logical ID. */
  readonly qualifiers?: ReadonlyMap<string, FunctionQualifiers>;
  /** Where to say what could not be made sense of. */
  readonly warnings: string[];
}

/**
 * Turns one `AWS::Lambda::Function` resource into a {@link FunctionSpec}: properties
 * with the service's defaults, intrinsics resolved, code and layers located.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
 */
export function buildFunctionSpec(scope: TemplateScope, logicalId: string, options: BuildFunctionSpecOptions): FunctionSpec {
  const properties = scope.template.Resources[logicalId]?.Properties ?? {};
  const environment = scope.environment;
  const constructPath = scope.constructPath(logicalId);
  const warn = (message: string): void => {
    options.warnings.push(`${constructPath}: ${message}`);
  };
  const nameReasons: string[] = [];
  const functionName = scope.resolveString({ Ref: logicalId }, nameReasons);
  if (nameReasons.length > 0) {
    warn(`its FunctionName is known only at deploy (${nameReasons.join('; ')}); it runs locally as '${functionName}'.`);
  }
  const text = (value: unknown): string | undefined => (value === undefined ? undefined : scope.resolveString(value, []));
  const number = (name: string, value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = Number(text(value));
    if (Number.isFinite(parsed)) return parsed;
    warn(`its ${name} is not a number; using ${fallback}.`);
    return fallback;
  };
  const runtime = text(properties['Runtime']);
  const handler = text(properties['Handler']);
  const architectures = scope.resolve(properties['Architectures'] ?? [], []);
  const ephemeralStorage = properties['EphemeralStorage'];
  const tracing = properties['TracingConfig'];
  const reserved = properties['ReservedConcurrentExecutions'];
  const { variables, unresolved } = readEnvironment(scope, properties['Environment']);
  const functionUrl = options.functionUrls.get(logicalId);
  const qualifiers = options.qualifiers?.get(logicalId);
  const tenancy = properties['TenancyConfig'] === undefined ? undefined : scope.resolve(properties['TenancyConfig'], []);
  const perTenant = isRecord(tenancy) && tenancy['TenantIsolationMode'] === 'PER_TENANT';
  const memorySizeMb = number('MemorySize', properties['MemorySize'], 128);
  const managedInstances = readManagedInstances(properties, { runtime, memorySizeMb, text, number });
  const durableConfig = properties['DurableConfig'];
  const durable = isRecord(durableConfig)
    ? {
        executionTimeoutSeconds: number('DurableConfig.ExecutionTimeout', durableConfig['ExecutionTimeout'], 86_400),
        retentionPeriodInDays: number('DurableConfig.RetentionPeriodInDays', durableConfig['RetentionPeriodInDays'], 14),
      }
    : undefined;
  return {
    stackName: environment.topStackName,
    stackDisplayName: environment.displayName,
    constructPath,
    logicalId,
    functionName,
    functionArn: `arn:${environment.partition}:lambda:${environment.region}:${environment.accountId}:function:${functionName}`,
    region: environment.region,
    accountId: environment.accountId,
    version: '$LATEST',
    ...(runtime === undefined ? {} : { runtime }),
    ...(handler === undefined ? {} : { handler }),
    architecture: Array.isArray(architectures) && architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
    memorySizeMb,
    timeoutSeconds: number('Timeout', properties['Timeout'], 3),
    ephemeralStorageMb: number('EphemeralStorage', isRecord(ephemeralStorage) ? ephemeralStorage['Size'] : undefined, 512),
    environment: variables,
    unresolvedEnvironment: unresolved,
    code: locateCode(scope, logicalId, 'Code'),
    layers: readLayers(scope, properties['Layers'], warn),
    logging: readLogging(scope, properties['LoggingConfig'], functionName),
    tracingMode: isRecord(tracing) && text(tracing['Mode']) === 'Active' ? 'Active' : 'PassThrough',
    ...(reserved === undefined ? {} : { reservedConcurrency: number('ReservedConcurrentExecutions', reserved, 0) }),
    ...(functionUrl === undefined ? {} : { functionUrl }),
    ...(qualifiers === undefined || qualifiers.versions.length === 0 ? {} : { versions: qualifiers.versions }),
    ...(qualifiers === undefined || qualifiers.aliases.length === 0 ? {} : { aliases: qualifiers.aliases }),
    ...(perTenant ? { tenantIsolationMode: 'PER_TENANT' as const } : {}),
    ...(managedInstances === undefined ? {} : { managedInstances }),
    ...(durable === undefined ? {} : { durable }),
  };
}

/** True for `{ "Ref": ... }` / `{ "Fn::...": ... }`, as opposed to a plain object. */
function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
}

/**
 * The entries of a property that should be an object. Each entry keeps its own
 * expression when the object is written out, so each gets its own reasons; an object
 * that is itself an intrinsic (`Fn::If`) is resolved as a whole.
 */
function entriesOf(scope: TemplateScope, value: unknown, reasons: string[]): [string, unknown][] {
  if (!isRecord(value)) return [];
  if (!isIntrinsic(value)) return Object.entries(value);
  const resolved = scope.resolve(value, reasons);
  return isRecord(resolved) ? Object.entries(resolved) : [];
}

function readEnvironment(
  scope: TemplateScope,
  environment: unknown,
): { variables: Record<string, string>; unresolved: UnresolvedVariable[] } {
  const variables: Record<string, string> = {};
  const unresolved: UnresolvedVariable[] = [];
  const shared: string[] = [];
  const variablesExpression = entriesOf(scope, environment, shared).find(([key]) => key === 'Variables')?.[1];
  for (const [name, expression] of entriesOf(scope, variablesExpression, shared)) {
    const reasons = [...shared];
    const value: ResolvedValue = scope.resolve(expression, reasons);
    if (value === NO_VALUE) continue;
    const text = stringifyResolved(value);
    variables[name] = text;
    if (reasons.length > 0) unresolved.push({ name, placeholder: text, reason: [...new Set(reasons)].join('; ') });
  }
  return { variables, unresolved };
}

function readLayers(scope: TemplateScope, layers: unknown, warn: (message: string) => void): LayerSpec[] {
  if (layers === undefined) return [];
  const items: unknown[] = Array.isArray(layers) ? layers : [];
  if (!Array.isArray(layers)) {
    const resolved = scope.resolve(layers, []);
    if (Array.isArray(resolved)) items.push(...resolved);
  }
  const result: LayerSpec[] = [];
  for (const item of items) {
    const target = scope.traceResource(item);
    if (target !== undefined && target.resource.Type === 'AWS::Lambda::LayerVersion') {
      result.push({
        logicalId: target.logicalId,
        arn: target.scope.resolveString({ Ref: target.logicalId }, []),
        code: locateCode(target.scope, target.logicalId, 'Content'),
      });
      continue;
    }
    const reasons: string[] = [];
    const arn = scope.resolve(item, reasons);
    if (arn === NO_VALUE) continue;
    const text = stringifyResolved(arn);
    if (reasons.length > 0) warn(`its layer ${text} could not be found in the app (${reasons.join('; ')}); it runs without it.`);
    result.push({ arn: text });
  }
  return result;
}

function readLogging(scope: TemplateScope, loggingConfig: unknown, functionName: string): LoggingSpec {
  const config = loggingConfig === undefined ? {} : scope.resolve(loggingConfig, []);
  const field = (name: string): string | undefined => {
    const value = isRecord(config) ? config[name] : undefined;
    return value === undefined ? undefined : stringifyResolved(value as ResolvedValue);
  };
  const logFormat = field('LogFormat') === 'JSON' ? 'JSON' : 'Text';
  const applicationLogLevel = field('ApplicationLogLevel');
  const systemLogLevel = field('SystemLogLevel');
  return {
    logFormat,
    ...(applicationLogLevel === undefined ? {} : { applicationLogLevel }),
    ...(systemLogLevel === undefined ? {} : { systemLogLevel }),
    logGroup: field('LogGroup') ?? `/aws/lambda/${functionName}`,
  };
}
