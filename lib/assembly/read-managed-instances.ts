import { isRecord } from './cfn-template.js';
import type { ManagedInstancesSpec } from './function-spec.js';

/** The runtime's default concurrency per vCPU when `PerExecutionEnvironmentMaxConcurrency` is not set. */
const DEFAULT_CONCURRENCY_PER_VCPU: readonly (readonly [prefix: string, perVCpu: number])[] = [
  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-nodejs-runtime.html
  ['nodejs', 64],
  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-python-runtime.html
  ['python', 16],
];
/** Other runtimes' defaults are not documented: cdk-local takes Python's, the most cautious. */
const FALLBACK_CONCURRENCY_PER_VCPU = 16;
const DEFAULT_MEMORY_GIB_PER_VCPU = 2;

/** What {@link readManagedInstances} needs of the function being read. */
export interface ReadManagedInstancesOptions {
  readonly runtime: string | undefined;
  readonly memorySizeMb: number;
  /** Resolves a value to text (intrinsics included). */
  readonly text: (value: unknown) => string | undefined;
  /** Resolves a value to a number, warning and falling back when it is not one. */
  readonly number: (name: string, value: unknown, fallback: number) => number;
}

/**
 * `CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig` (and
 * `FunctionScalingConfig`) of an `AWS::Lambda::Function`; undefined for a function that
 * runs on Lambda's default compute.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-lambdamanagedinstancescapacityproviderconfig.html
 */
export function readManagedInstances(properties: Record<string, unknown>, options: ReadManagedInstancesOptions): ManagedInstancesSpec | undefined {
  const capacity = properties['CapacityProviderConfig'];
  const config = isRecord(capacity) ? capacity['LambdaManagedInstancesCapacityProviderConfig'] : undefined;
  if (!isRecord(config)) return undefined;
  const memoryGiBPerVCpu = options.number('ExecutionEnvironmentMemoryGiBPerVCpu', config['ExecutionEnvironmentMemoryGiBPerVCpu'], DEFAULT_MEMORY_GIB_PER_VCPU);
  const vCpus = Math.max(1, Math.floor(options.memorySizeMb / 1024 / memoryGiBPerVCpu));
  const perVCpu = DEFAULT_CONCURRENCY_PER_VCPU.find(([prefix]) => options.runtime?.startsWith(prefix) === true)?.[1] ?? FALLBACK_CONCURRENCY_PER_VCPU;
  const concurrency = options.number('PerExecutionEnvironmentMaxConcurrency', config['PerExecutionEnvironmentMaxConcurrency'], perVCpu * vCpus);
  const scaling = properties['FunctionScalingConfig'];
  const maxEnvironments = isRecord(scaling) ? scaling['MaxExecutionEnvironments'] : undefined;
  return {
    capacityProviderArn: options.text(config['CapacityProviderArn']) ?? '',
    // The service takes 1 to 1600.
    perExecutionEnvironmentMaxConcurrency: Math.min(1600, Math.max(1, Math.floor(concurrency))),
    memoryGiBPerVCpu,
    ...(maxEnvironments === undefined ? {} : { maxExecutionEnvironments: Math.max(1, Math.floor(options.number('MaxExecutionEnvironments', maxEnvironments, 1))) }),
  };
}
