import { isRecord } from './cfn-template.js';
import type { AliasSpec, VersionSpec } from './function-spec.js';
import type { TemplateScope } from './template-scope.js';

/** The versions and aliases a template declares for one function. */
export interface FunctionQualifiers {
  readonly versions: readonly VersionSpec[];
  readonly aliases: readonly AliasSpec[];
}

const LATEST = '$LATEST';

function provisionedConcurrency(scope: TemplateScope, config: unknown): number | undefined {
  if (!isRecord(config)) return undefined;
  const value = Number(scope.resolveString(config['ProvisionedConcurrentExecutions'], []));
  return Number.isFinite(value) ? value : undefined;
}

/** The logical ID of the function of this template that an expression (`Ref`, `GetAtt ... Arn`) names. */
function functionOf(scope: TemplateScope, expression: unknown): string | undefined {
  const target = scope.traceResource(expression);
  return target !== undefined && target.scope === scope && target.resource.Type === 'AWS::Lambda::Function' ? target.logicalId : undefined;
}

/**
 * The `AWS::Lambda::Version`s and `AWS::Lambda::Alias`es of a template, by the logical ID of
 * the function they belong to. Versions are numbered 1, 2, ... in template order, as a stack
 * deployed for the first time would publish them; an alias's `FunctionVersion` (a `GetAtt` of
 * a version, a number, `$LATEST`) is resolved to one of them.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-alias.html
 */
export function readVersions(scope: TemplateScope, warnings: string[]): Map<string, FunctionQualifiers> {
  const versions = new Map<string, VersionSpec[]>();
  const numbers = new Map<string, { functionId: string; version: string }>();
  const resources = Object.entries(scope.template.Resources).filter(([logicalId]) => scope.resourceExists(logicalId));
  for (const [logicalId, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Version') continue;
    const properties = resource.Properties ?? {};
    const functionId = functionOf(scope, properties['FunctionName']);
    if (functionId === undefined) continue;
    const list = versions.get(functionId) ?? [];
    const version = String(list.length + 1);
    const concurrency = provisionedConcurrency(scope, properties['ProvisionedConcurrencyConfig']);
    list.push({
      version,
      logicalId,
      description: properties['Description'] === undefined ? '' : scope.resolveString(properties['Description'], []),
      ...(concurrency === undefined ? {} : { provisionedConcurrency: concurrency }),
    });
    versions.set(functionId, list);
    numbers.set(logicalId, { functionId, version });
  }
  const aliases = new Map<string, AliasSpec[]>();
  const versionOf = (functionId: string, expression: unknown, where: string): string | undefined => {
    const target = scope.traceResource(expression);
    const declared = target !== undefined && target.scope === scope ? numbers.get(target.logicalId) : undefined;
    if (declared !== undefined) return declared.functionId === functionId ? declared.version : undefined;
    const text = scope.resolveString(expression, []);
    if (text === LATEST || (versions.get(functionId) ?? []).some((candidate) => candidate.version === text)) return text;
    warnings.push(`${where}: its version '${text}' is not declared in the app; the alias is left out.`);
    return undefined;
  };
  for (const [logicalId, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Alias') continue;
    const properties = resource.Properties ?? {};
    const functionId = functionOf(scope, properties['FunctionName']);
    if (functionId === undefined) continue;
    const where = scope.constructPath(logicalId);
    const functionVersion = versionOf(functionId, properties['FunctionVersion'], where);
    if (functionVersion === undefined) continue;
    const routing = properties['RoutingConfig'];
    const weights = isRecord(routing) && Array.isArray(routing['AdditionalVersionWeights']) ? routing['AdditionalVersionWeights'] : [];
    const additionalVersionWeights: { version: string; weight: number }[] = [];
    for (const entry of weights) {
      if (!isRecord(entry)) continue;
      const version = versionOf(functionId, entry['FunctionVersion'], where);
      const weight = Number(scope.resolveString(entry['FunctionWeight'], []));
      if (version !== undefined && Number.isFinite(weight)) additionalVersionWeights.push({ version, weight: Math.min(Math.max(weight, 0), 1) });
    }
    const concurrency = provisionedConcurrency(scope, properties['ProvisionedConcurrencyConfig']);
    const list = aliases.get(functionId) ?? [];
    list.push({
      name: scope.resolveString(properties['Name'], []),
      logicalId,
      functionVersion,
      additionalVersionWeights,
      description: properties['Description'] === undefined ? '' : scope.resolveString(properties['Description'], []),
      ...(concurrency === undefined ? {} : { provisionedConcurrency: concurrency }),
    });
    aliases.set(functionId, list);
  }
  const result = new Map<string, FunctionQualifiers>();
  for (const functionId of new Set([...versions.keys(), ...aliases.keys()])) {
    result.set(functionId, { versions: versions.get(functionId) ?? [], aliases: aliases.get(functionId) ?? [] });
  }
  return result;
}
