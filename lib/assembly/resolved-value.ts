/**
 * What an expression of a template resolves to. Parts that cannot be known before deploy
 * are already replaced by placeholders; why is collected separately, as reasons.
 */

/** `AWS::NoValue`: the property is left out, as if it were not written. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A resolved template value. */
export type ResolvedValue =
  | string
  | number
  | boolean
  | null
  | typeof NO_VALUE
  | readonly ResolvedValue[]
  | { readonly [key: string]: ResolvedValue };

/**
 * The string CloudFormation would pass on for a resolved value: numbers and booleans as
 * text, lists comma-joined (as for `CommaDelimitedList` parameters), objects as JSON.
 */
export function stringifyResolved(value: ResolvedValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === NO_VALUE) return '';
  if (Array.isArray(value)) return value.map((item: ResolvedValue) => stringifyResolved(item)).join(',');
  return JSON.stringify(value);
}

/**
 * A placeholder for a value of no particular shape (an SSM parameter, a custom resource
 * attribute): `placeholder-<what>`, readable where it turns up in the function's output.
 */
export function opaquePlaceholder(what: string): string {
  const slug = what
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return `placeholder-${slug === '' ? 'value' : slug}`;
}
