/**
 * The cloud assembly: from a CDK app (or its `cdk.out`) to the specs of its Lambda
 * functions, and from a spec to code that is ready to run.
 */
export type {
  CodeLocation,
  FunctionSpec,
  FunctionUrlSpec,
  LayerSpec,
  LoggingSpec,
  UnresolvedVariable,
} from './function-spec.js';
export { readAssembly, type Assembly, type ReadAssemblyOptions } from './read-assembly.js';
export { findFunction } from './find-function.js';
export { checkRunnable } from './check-runnable.js';
export { runtimeFamily, type SupportedRuntimeFamily } from './runtime-family.js';
export { prepareCode } from './prepare-code.js';
export { prepareLayers, type PreparedLayers } from './prepare-layers.js';
export { readEnvVarsFile, parseEnvVarsOverrides, type EnvVarsOverrides } from './read-env-vars-file.js';
export { resolveEnvironmentOverrides } from './resolve-environment-overrides.js';
export { loadCloudAssembly, type LoadCloudAssemblyOptions, type LoadCloudAssemblyResult } from './synthesize.js';
export { isAssemblyFresh, type AssemblyFreshnessOptions } from './assembly-freshness.js';
