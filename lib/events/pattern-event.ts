/**
 * An event that an EventBridge event pattern matches: each field takes the first value the
 * pattern allows, and content filters (prefix, numeric ranges, anything-but, exists...)
 * get a value that passes them.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */

/** What a field gets: a value, or nothing (`exists: false`). */
type Sample = { readonly value: unknown } | undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of a matching event for a pattern object (a nested one for `detail`). */
export function sampleMatchingPattern(pattern: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, matcher] of Object.entries(pattern)) {
    if (key === '$or') {
      const [first] = Array.isArray(matcher) ? matcher : [];
      if (isObject(first)) Object.assign(result, sampleMatchingPattern(first));
      continue;
    }
    if (isObject(matcher)) {
      result[key] = sampleMatchingPattern(matcher);
      continue;
    }
    const sample = sampleForValues(Array.isArray(matcher) ? matcher : [matcher]);
    if (sample !== undefined) result[key] = sample.value;
  }
  return result;
}

function sampleForValues(allowed: readonly unknown[]): Sample {
  if (allowed.length === 0) return undefined;
  const [first] = allowed;
  if (!isObject(first)) return { value: first };
  return sampleForFilter(first);
}

function sampleForFilter(filter: Record<string, unknown>): Sample {
  const [operator] = Object.keys(filter);
  const operand = operator === undefined ? undefined : filter[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      return { value: isObject(operand) ? String(Object.values(operand)[0] ?? '') : String(operand) };
    case 'wildcard':
      return { value: String(operand).replace(/\*/g, '') };
    case 'exists':
      return operand === false ? undefined : { value: 'example' };
    case 'numeric':
      return { value: numberInRange(Array.isArray(operand) ? operand : []) };
    case 'cidr':
      return { value: String(operand).split('/')[0] ?? '' };
    case 'anything-but':
      return { value: anythingBut(operand) };
    default:
      return { value: 'example' };
  }
}

/** A number that satisfies `['>', 0, '<=', 5]`-style comparisons. */
function numberInRange(comparisons: readonly unknown[]): number {
  let low: { value: number; inclusive: boolean } | undefined;
  let high: { value: number; inclusive: boolean } | undefined;
  for (let index = 0; index + 1 < comparisons.length; index += 2) {
    const operator = String(comparisons[index]);
    const value = Number(comparisons[index + 1]);
    if (operator === '=') return value;
    if (operator === '>' || operator === '>=') low = { value, inclusive: operator === '>=' };
    if (operator === '<' || operator === '<=') high = { value, inclusive: operator === '<=' };
  }
  if (low !== undefined && high !== undefined) {
    if (low.inclusive) return low.value;
    const next = low.value + 1;
    return next < high.value || (high.inclusive && next === high.value) ? next : (low.value + high.value) / 2;
  }
  if (low !== undefined) return low.inclusive ? low.value : low.value + 1;
  if (high !== undefined) return high.inclusive ? high.value : high.value - 1;
  return 0;
}

/** A value outside what `anything-but` excludes. */
function anythingBut(excluded: unknown): unknown {
  if (isObject(excluded)) {
    const [operator] = Object.keys(excluded);
    const operand = String(operator === undefined ? '' : excluded[operator]);
    let candidate = 'example-value';
    if (operand === '') return candidate;
    if (operator === 'suffix') {
      while (candidate.endsWith(operand)) candidate = `${candidate}x`;
    } else {
      while (candidate.startsWith(operand)) candidate = `x${candidate}`;
    }
    return candidate;
  }
  const values = Array.isArray(excluded) ? excluded : [excluded];
  if (values.length > 0 && values.every((value) => typeof value === 'number')) return Math.max(...(values as number[])) + 1;
  let candidate = 'other';
  while (values.includes(candidate)) candidate = `${candidate}-value`;
  return candidate;
}
