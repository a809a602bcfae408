/** The runtime families cdk-local runs without Docker. */
export const SUPPORTED_RUNTIME_FAMILIES = ['nodejs', 'python', 'provided'] as const;

/** One of {@link SUPPORTED_RUNTIME_FAMILIES}. */
export type SupportedRuntimeFamily = (typeof SUPPORTED_RUNTIME_FAMILIES)[number];

/**
 * The family of a Lambda runtime identifier: `nodejs20.x` → 'nodejs', `python3.12` →
 * 'python', `provided.al2023` → 'provided'; undefined for runtimes cdk-local cannot run
 * (Java, .NET, Ruby, Go 1.x, Python 2) and for no runtime at all.
 */
export function runtimeFamily(runtime: string | undefined): SupportedRuntimeFamily | undefined {
  if (runtime === undefined) return undefined;
  if (/^nodejs\d+\.x$/.test(runtime)) return 'nodejs';
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (/^provided(\.al2|\.al2023)?$/.test(runtime)) return 'provided';
  return undefined;
}
