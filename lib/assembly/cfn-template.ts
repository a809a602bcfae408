/**
 * The parts of a CloudFormation template that cdk-local reads. Templates are untrusted
 * input: every field is optional and every value is `unknown` until checked.
 */

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Condition?: string;
}

/** One output of a template. */
export interface CfnOutput {
  readonly Value?: unknown;
  readonly Export?: { readonly Name?: unknown };
  readonly Condition?: string;
}

/** One parameter of a template. */
export interface CfnParameter {
  readonly Type?: string;
  readonly Default?: unknown;
}

/** A CloudFormation template, as read from a `*.template.json` file. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Parameters: Readonly<Record<string, CfnParameter>>;
  readonly Conditions: Readonly<Record<string, unknown>>;
  readonly Mappings: Readonly<Record<string, unknown>>;
  readonly Outputs: Readonly<Record<string, CfnOutput>>;
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalises parsed JSON into a {@link CfnTemplate}, dropping resources that are not
 * objects with a string `Type` (they could not be deployed either).
 */
export function toCfnTemplate(json: unknown): CfnTemplate {
  const source = isRecord(json) ? json : {};
  const resources: Record<string, CfnResource> = {};
  if (isRecord(source['Resources'])) {
    for (const [logicalId, resource] of Object.entries(source['Resources'])) {
      if (isRecord(resource) && typeof resource['Type'] === 'string') {
        resources[logicalId] = {
          Type: resource['Type'],
          Properties: isRecord(resource['Properties']) ? resource['Properties'] : undefined,
          Metadata: isRecord(resource['Metadata']) ? resource['Metadata'] : undefined,
          Condition: typeof resource['Condition'] === 'string' ? resource['Condition'] : undefined,
        };
      }
    }
  }
  return {
    Resources: resources,
    Parameters: recordsOf(source['Parameters']) as Record<string, CfnParameter>,
    Conditions: isRecord(source['Conditions']) ? source['Conditions'] : {},
    Mappings: isRecord(source['Mappings']) ? source['Mappings'] : {},
    Outputs: recordsOf(source['Outputs']) as Record<string, CfnOutput>,
  };
}

function recordsOf(value: unknown): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  if (isRecord(value)) {
    for (const [key, entry] of Object.entries(value)) {
      if (isRecord(entry)) result[key] = entry;
    }
  }
  return result;
}
