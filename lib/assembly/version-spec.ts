import type { FunctionSpec } from './function-spec.js';

const derived = new WeakMap<FunctionSpec, Map<string, FunctionSpec>>();

/**
 * The spec of one published version of a function: the function's configuration as the
 * template declares it, with `version` set to the version's number. The same object is
 * returned every time (environments are kept per spec). Undefined when the function
 * declares no such version; `$LATEST` is the function itself.
 */
export function versionSpec(spec: FunctionSpec, version: string): FunctionSpec | undefined {
  if (version === '$LATEST') return spec;
  if (spec.versions?.some((candidate) => candidate.version === version) !== true) return undefined;
  let versions = derived.get(spec);
  if (versions === undefined) {
    versions = new Map();
    derived.set(spec, versions);
  }
  let found = versions.get(version);
  if (found === undefined) {
    found = Object.freeze({ ...spec, version });
    versions.set(version, found);
  }
  return found;
}

/** True when `qualifier` is `$LATEST`, or a version or alias the function declares. */
export function hasQualifier(spec: FunctionSpec, qualifier: string): boolean {
  return (
    qualifier === '$LATEST' ||
    spec.versions?.some((version) => version.version === qualifier) === true ||
    spec.aliases?.some((alias) => alias.name === qualifier) === true
  );
}
