import { readFile } from 'node:fs/promises';
import { isRecord } from './cfn-template.js';
import type { StackArtifact } from './read-manifest-tree.js';

const NESTED_STACK_RESOURCE = /^(.*)\.NestedStack\/[^/]+\.NestedStackResource$/;

/**
 * Construct paths by logical ID, from the `aws:cdk:logicalId` entries of a stack's
 * artifact metadata. CDK writes those whatever the context, while templates carry
 * `aws:cdk:path` only when path metadata is on (the CDK CLI turns it on; a plain
 * `new App()` in a test does not).
 */
export class ConstructPaths {
  constructor(private readonly byTemplate: ReadonlyMap<string, ReadonlyMap<string, string>>) {}

  /**
   * Logical ID → construct path (without a leading `/`) for the template whose
   * constructs live under `prefix`: `/<stack path>` for a top-level stack, and for a
   * nested stack the prefix {@link nestedStackPrefix} gives.
   */
  forTemplate(prefix: string): ReadonlyMap<string, string> | undefined {
    return this.byTemplate.get(prefix);
  }
}

/**
 * The construct prefix of the template of a nested stack, from the construct path of its
 * `AWS::CloudFormation::Stack` resource (`S/Api.NestedStack/Api.NestedStackResource` → `/S/Api`).
 */
export function nestedStackPrefix(resourcePath: string): string | undefined {
  const match = NESTED_STACK_RESOURCE.exec(resourcePath);
  return match?.[1] === undefined ? undefined : `/${match[1].replace(/^\//, '')}`;
}

/** Reads the logical-ID metadata of a stack artifact; undefined when it has none or it cannot be read. */
export async function readConstructPaths(stack: StackArtifact): Promise<ConstructPaths | undefined> {
  let metadata: unknown = stack.metadata;
  if (metadata === undefined && stack.metadataPath !== undefined) {
    try {
      metadata = JSON.parse(await readFile(stack.metadataPath, 'utf8'));
    } catch {
      return undefined;
    }
  }
  if (!isRecord(metadata)) return undefined;
  const logicalIds: [string, string][] = [];
  for (const [path, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (isRecord(entry) && entry['type'] === 'aws:cdk:logicalId' && typeof entry['data'] === 'string') {
        logicalIds.push([path, entry['data']]);
      }
    }
  }
  const prefixes = [`/${stack.displayName}`];
  for (const [path] of logicalIds) {
    const prefix = nestedStackPrefix(path);
    if (prefix !== undefined) prefixes.push(prefix);
  }
  // Deepest first, so that a construct belongs to the innermost (nested) stack holding it.
  prefixes.sort((a, b) => b.length - a.length);
  const byTemplate = new Map<string, Map<string, string>>();
  for (const [path, logicalId] of logicalIds) {
    const owner = prefixes.find((prefix) => path.startsWith(`${prefix}/`));
    if (owner === undefined) continue;
    let paths = byTemplate.get(owner);
    if (paths === undefined) {
      paths = new Map();
      byTemplate.set(owner, paths);
    }
    paths.set(logicalId, path.slice(1));
  }
  return new ConstructPaths(byTemplate);
}
