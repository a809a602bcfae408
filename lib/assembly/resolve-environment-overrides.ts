import type { FunctionSpec } from './function-spec.js';
import type { EnvVarsOverrides } from './read-env-vars-file.js';

/**
 * The overrides that apply to one function, as `name → value` (`null`: unset it). Keys
 * apply from the least to the most specific, a later one winning: `Parameters`, the
 * logical ID, `Stack:LogicalId`, the function name, the construct path without the
 * stack, the full construct path. Unlike SAM CLI, a variable the template does not declare is set too.
 */
export function resolveEnvironmentOverrides(spec: FunctionSpec, overrides: EnvVarsOverrides): Record<string, string | null> {
  const stackPrefix = `${spec.stackDisplayName}/`;
  const keys = [
    'Parameters',
    spec.logicalId,
    `${spec.stackName}:${spec.logicalId}`,
    spec.functionName,
    spec.constructPath.startsWith(stackPrefix) ? spec.constructPath.slice(stackPrefix.length) : spec.constructPath,
    spec.constructPath,
  ];
  const result: Record<string, string | null> = {};
  for (const key of new Set(keys)) {
    const section = Object.hasOwn(overrides, key) ? overrides[key] : undefined;
    if (section === undefined) continue;
    for (const [name, value] of Object.entries(section)) {
      result[name] = value === null ? null : String(value);
    }
  }
  return result;
}
