export { runtimeCacheDirectory } from './cache-directory.js';
export { AWS_SDK_VERSION, DURABLE_EXECUTION_SDK_VERSION, provideNodeModules, runtimeExtraPackages, type ProvidedModules, type ProvideNodeModulesOptions } from './node-sdk.js';
export type { ProvisionContext } from './provision-context.js';
export { provideNodeBuild, type NodeBuild } from './node-build.js';
export { linkPythonPackages, providePythonSdk, type ProvidedPythonSdk, type PythonPackage } from './python-sdk.js';
