/** What a policy says about one action on one resource. */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** IAM's wildcards: `*` any run of characters, `?` any one character; the rest literal, case-sensitive. */
function wildcardMatches(pattern: string, value: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`, 's').test(value);
}

/** Actions match case-insensitively (`execute-api:Invoke`, `execute-api:*`, `*`). */
function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatches(pattern.toLowerCase(), action.toLowerCase());
}

/** True when the statement's `Action`/`NotAction` and `Resource`/`NotResource` cover the request. */
function statementCovers(statement: Record<string, unknown>, action: string, resource: string): boolean {
  const actionCovered =
    statement['NotAction'] !== undefined
      ? !asList(statement['NotAction']).some((item) => typeof item === 'string' && actionMatches(item, action))
      : asList(statement['Action']).some((item) => typeof item === 'string' && actionMatches(item, action));
  if (!actionCovered) return false;
  return statement['NotResource'] !== undefined
    ? !asList(statement['NotResource']).some((item) => typeof item === 'string' && wildcardMatches(item, resource))
    : asList(statement['Resource']).some((item) => typeof item === 'string' && wildcardMatches(item, resource));
}

/** Why a policy document cannot be evaluated, or undefined when it can. */
export function policyProblem(document: unknown): string | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return 'policyDocument is not an object';
  const statements = (document as Record<string, unknown>)['Statement'];
  if (statements === undefined) return 'policyDocument has no Statement';
  for (const statement of asList(statements)) {
    if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return 'a Statement is not an object';
    const effect = (statement as Record<string, unknown>)['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') return `a Statement has Effect ${JSON.stringify(effect)}`;
  }
  return undefined;
}

/**
 * Evaluates an authorizer's policy document as IAM does for one action on one resource: an
 * explicit `Deny` wins, then an `Allow`, and without either the request is denied.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function evaluatePolicy(document: unknown, action: string, resource: string): PolicyDecision {
  if (policyProblem(document) !== undefined) return 'implicit-deny';
  const statements = asList((document as Record<string, unknown>)['Statement']) as Record<string, unknown>[];
  const covering = statements.filter((statement) => statementCovers(statement, action, resource));
  if (covering.some((statement) => statement['Effect'] === 'Deny')) return 'explicit-deny';
  return covering.some((statement) => statement['Effect'] === 'Allow') ? 'allow' : 'implicit-deny';
}
