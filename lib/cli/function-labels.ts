import type { FunctionSpec } from '../assembly/index.js';

/**
 * A short label for each function: the shortest end of its construct path that no other
 * function's path ends with (`Hello`, `Api/Handler`, `Prod/ApiStack/Staged`). Used to mark
 * whose log line is whose when several functions run.
 */
export function labelFunctions(functions: readonly FunctionSpec[]): Map<FunctionSpec, string> {
  const labels = new Map<FunctionSpec, string>();
  const paths = functions.map((spec) => spec.constructPath.split('/'));
  functions.forEach((spec, index) => {
    const segments = paths[index]!;
    let label = spec.constructPath;
    for (let length = 1; length <= segments.length; length++) {
      const suffix = segments.slice(-length).join('/');
      const clash = paths.some((other, otherIndex) => otherIndex !== index && other.slice(-length).join('/') === suffix);
      if (!clash) {
        label = suffix;
        break;
      }
    }
    labels.set(spec, label);
  });
  return labels;
}
