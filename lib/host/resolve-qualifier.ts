import { versionSpec, type AliasSpec, type FunctionSpec } from '../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';

const LATEST = '$LATEST';

/** What a qualifier of an invocation comes to. */
export interface ResolvedQualifier {
  /** The spec that runs: the function's own for `$LATEST`, a version's otherwise. */
  readonly spec: FunctionSpec;
  /** The version that runs (`X-Amz-Executed-Version`). */
  readonly executedVersion: string;
  /** The ARN the runtime is told it was invoked with: qualified when a qualifier was given. */
  readonly invokedFunctionArn: string;
  /** Set when the qualifier is an alias. */
  readonly alias?: AliasSpec;
  /** What the qualifier declares of provisioned concurrency (an alias's, else a version's). */
  readonly provisionedConcurrency?: number;
}

/**
 * The version an alias sends one invocation to: each additional version gets its weight's
 * share of invocations, at random as the service routes them, the alias's own version the rest.
 */
export function routeAlias(alias: AliasSpec, random: () => number = Math.random): string {
  let draw = random();
  for (const { version, weight } of alias.additionalVersionWeights) {
    if (draw < weight) return version;
    draw -= weight;
  }
  return alias.functionVersion;
}

/**
 * Resolves the qualifier of an invocation (none, `$LATEST`, a version number, an alias name)
 * to the spec that runs; throws QUALIFIER_NOT_FOUND for one the function does not declare.
 */
export function resolveQualifier(spec: FunctionSpec, qualifier: string | undefined, random: () => number = Math.random): ResolvedQualifier {
  if (qualifier === undefined || qualifier === '') return { spec, executedVersion: LATEST, invokedFunctionArn: spec.functionArn };
  const alias = spec.aliases?.find((candidate) => candidate.name === qualifier);
  const version = alias === undefined ? qualifier : routeAlias(alias, random);
  const runnable = versionSpec(spec, version);
  if (runnable === undefined) {
    const known = [LATEST, ...(spec.versions ?? []).map((candidate) => candidate.version), ...(spec.aliases ?? []).map((candidate) => candidate.name)];
    throw new CdkLocalError(
      ErrorCodes.QUALIFIER_NOT_FOUND,
      `${spec.constructPath} has no version or alias '${qualifier}' (found: ${known.join(', ')}); declare it in the app (fn.currentVersion, fn.addAlias) or name one of these.`,
    );
  }
  const provisionedConcurrency = alias?.provisionedConcurrency ?? spec.versions?.find((candidate) => candidate.version === version)?.provisionedConcurrency;
  return {
    spec: runnable,
    executedVersion: version,
    invokedFunctionArn: `${spec.functionArn}:${qualifier}`,
    ...(alias === undefined ? {} : { alias }),
    ...(provisionedConcurrency === undefined ? {} : { provisionedConcurrency }),
  };
}
