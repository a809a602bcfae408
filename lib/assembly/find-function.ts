import { CdkLocalError, ErrorCodes } from '../errors.js';
import type { FunctionSpec } from './function-spec.js';

const MAX_SUGGESTIONS = 5;

/** Options of {@link findFunction}. */
export interface FindFunctionOptions {
  /** Match the name as given, case included. @default false */
  readonly exact?: boolean;
}

/**
 * Finds one function by what a user would call it, trying in turn: its construct path
 * (`DemoStack/Api/Handler`), function name or ARN, `Stack:LogicalId`; its logical ID;
 * its path without the stack or without stage prefixes (`Api/Handler`); the end of its
 * path (`Handler`); then any of these ignoring case. The first way that matches decides.
 * With `exact`, the name is taken as given (no trimming of spaces, slashes or `/Resource`)
 * and case counts, as Lambda's own API matches names.
 * Throws {@link ErrorCodes.FUNCTION_NOT_FOUND} naming the closest functions, or
 * {@link ErrorCodes.FUNCTION_AMBIGUOUS} listing the candidates.
 */
export function findFunction(functions: readonly FunctionSpec[], name: string, options: FindFunctionOptions = {}): FunctionSpec {
  const wanted = options.exact === true ? name : normalise(name);
  const lower = wanted.toLowerCase();
  const tiers: ((spec: FunctionSpec) => boolean)[] = [
    (spec) =>
      spec.constructPath === wanted ||
      spec.functionName === wanted ||
      spec.functionArn === wanted ||
      spec.functionArn === wanted.replace(/:[^:]+$/, '') ||
      `${spec.stackName}:${spec.logicalId}` === wanted ||
      `${spec.stackDisplayName}:${spec.logicalId}` === wanted,
    (spec) => spec.logicalId === wanted,
    (spec) => spec.constructPath.endsWith(`/${wanted}`) && segments(wanted) >= segments(pathWithinStack(spec)),
    (spec) => spec.constructPath.endsWith(`/${wanted}`),
  ];
  if (options.exact !== true) {
    tiers.push((spec) =>
      [spec.constructPath, pathWithinStack(spec), spec.logicalId, spec.functionName].some((candidate) => candidate.toLowerCase() === lower),
    );
  }
  for (const matches of tiers.map((tier) => functions.filter(tier))) {
    const [only, ...others] = matches;
    if (only === undefined) continue;
    if (others.length === 0) return only;
    throw new CdkLocalError(
      ErrorCodes.FUNCTION_AMBIGUOUS,
      `'${name}' matches ${matches.length} functions (${matches.map((spec) => spec.constructPath).join(', ')}); use the full construct path.`,
    );
  }
  if (functions.length === 0) {
    throw new CdkLocalError(
      ErrorCodes.FUNCTION_NOT_FOUND,
      `No function '${name}': the app has no Lambda functions, so check that your CDK app defines them in the stacks it synthesizes.`,
    );
  }
  const closest = closestFunctions(functions, lower);
  const hint = closest.length === 0 ? '' : ` (closest: ${closest.join(', ')})`;
  throw new CdkLocalError(
    ErrorCodes.FUNCTION_NOT_FOUND,
    `No function '${name}' in the app${hint}. Run 'cdk-local list' to see them all.`,
  );
}

function normalise(name: string): string {
  let result = name.trim().replace(/^\/+/, '');
  if (result.endsWith('/Resource')) result = result.slice(0, -'/Resource'.length);
  return result;
}

function segments(path: string): number {
  return path.split('/').length;
}

/** The construct path below the stack: `Prod/Api/Handler` in stack `Prod/Api` → `Handler`. */
function pathWithinStack(spec: FunctionSpec): string {
  const prefix = `${spec.stackDisplayName}/`;
  return spec.constructPath.startsWith(prefix) ? spec.constructPath.slice(prefix.length) : spec.constructPath;
}

function closestFunctions(functions: readonly FunctionSpec[], lower: string): string[] {
  const scored: { path: string; score: number }[] = [];
  for (const spec of functions) {
    const candidates = [spec.constructPath, pathWithinStack(spec), spec.constructPath.split('/').at(-1) ?? '', spec.logicalId, spec.functionName]
      .map((candidate) => candidate.toLowerCase());
    let score = Math.min(...candidates.map((candidate) => editDistance(lower, candidate)));
    const threshold = Math.max(2, Math.floor(lower.length * 0.4));
    if (candidates.some((candidate) => candidate.includes(lower) || (candidate.length >= 3 && lower.includes(candidate)))) score = 0;
    else if (score > threshold) continue;
    scored.push({ path: spec.constructPath, score });
  }
  scored.sort((a, b) => a.score - b.score || a.path.localeCompare(b.path));
  // Only names about as close as the closest: one clear typo should not drag in the rest.
  const best = scored[0]?.score ?? 0;
  return scored
    .filter((entry) => entry.score <= best + 1)
    .slice(0, MAX_SUGGESTIONS)
    .map((entry) => entry.path);
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
