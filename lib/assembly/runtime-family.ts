import { describeRuntime, type RuntimeFamily } from '../runtimes/index.js';

/** The runtime families cdk-local runs without Docker. */
export const SUPPORTED_RUNTIME_FAMILIES: readonly RuntimeFamily[] = ['nodejs', 'python', 'provided'];

/** One of {@link SUPPORTED_RUNTIME_FAMILIES}. */
export type SupportedRuntimeFamily = RuntimeFamily;

/**
 * The family of a Lambda runtime identifier: `nodejs20.x` → 'nodejs', `python3.12` →
 * 'python', `provided.al2023` → 'provided'; undefined for runtimes cdk-local cannot run
 * (Java, .NET, Ruby, Go 1.x, Python 2) and for no runtime at all. The table itself is the
 * runtimes module's.
 */
export function runtimeFamily(runtime: string | undefined): SupportedRuntimeFamily | undefined {
  return runtime === undefined ? undefined : describeRuntime(runtime)?.family;
}
