import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readManagedInstances, type ReadManagedInstancesOptions } from '../../lib/assembly/read-managed-instances.js';

function options(runtime: string, memorySizeMb: number, warnings: string[] = []): ReadManagedInstancesOptions {
  return {
    runtime,
    memorySizeMb,
    text: (value) => (value === undefined ? undefined : String(value)),
    number: (name, value, fallback) => {
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (Number.isFinite(parsed)) return parsed;
      warnings.push(name);
      return fallback;
    },
  };
}

const ARN = 'arn:aws:lambda:us-east-1:111122223333:capacity-provider:p';

describe('readManagedInstances', () => {
  it('Y.157 is undefined without CapacityProviderConfig, and reads its fields and MaxExecutionEnvironments', () => {
    assert.equal(readManagedInstances({}, options('nodejs22.x', 2048)), undefined);
    assert.deepEqual(
      readManagedInstances(
        {
          CapacityProviderConfig: {
            LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: ARN, PerExecutionEnvironmentMaxConcurrency: 10, ExecutionEnvironmentMemoryGiBPerVCpu: 4 },
          },
          FunctionScalingConfig: { MinExecutionEnvironments: 1, MaxExecutionEnvironments: 3 },
        },
        options('nodejs22.x', 8192),
      ),
      { capacityProviderArn: ARN, perExecutionEnvironmentMaxConcurrency: 10, memoryGiBPerVCpu: 4, maxExecutionEnvironments: 3 },
    );
  });

  it('Y.157 without PerExecutionEnvironmentMaxConcurrency takes the runtime\'s default per vCPU (MemorySize / 1024 / GiB per vCPU)', () => {
    const config = (extra: Record<string, unknown> = {}) => ({ CapacityProviderConfig: { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: ARN, ...extra } } });
    assert.equal(readManagedInstances(config(), options('nodejs22.x', 2048))?.perExecutionEnvironmentMaxConcurrency, 64);
    assert.equal(readManagedInstances(config(), options('nodejs24.x', 8192))?.perExecutionEnvironmentMaxConcurrency, 4 * 64);
    assert.equal(readManagedInstances(config(), options('python3.13', 4096))?.perExecutionEnvironmentMaxConcurrency, 2 * 16);
    assert.equal(readManagedInstances(config({ ExecutionEnvironmentMemoryGiBPerVCpu: 8 }), options('python3.13', 4096))?.perExecutionEnvironmentMaxConcurrency, 16);
    assert.equal(readManagedInstances(config(), options('java21', 2048))?.perExecutionEnvironmentMaxConcurrency, 16);
    // The service's range is 1 to 1600.
    assert.equal(readManagedInstances(config({ PerExecutionEnvironmentMaxConcurrency: 5000 }), options('nodejs22.x', 2048))?.perExecutionEnvironmentMaxConcurrency, 1600);
    const warnings: string[] = [];
    assert.equal(readManagedInstances(config({ PerExecutionEnvironmentMaxConcurrency: 'many' }), options('nodejs22.x', 2048, warnings))?.perExecutionEnvironmentMaxConcurrency, 64);
    assert.deepEqual(warnings, ['PerExecutionEnvironmentMaxConcurrency']);
  });
});
