/** Where a template is deployed, as far as resolving its intrinsics needs to know. */
export interface StackEnvironment {
  /** CloudFormation name of this stack (a nested stack has a generated one). */
  readonly stackName: string;
  /** CloudFormation name of the top-level stack (the same as stackName unless nested). */
  readonly topStackName: string;
  /** Display name of the top-level stack, with stage prefixes (`Prod/ApiStack`). */
  readonly displayName: string;
  /** Artifact ID of the top-level stack in its manifest.json. */
  readonly artifactId: string;
  readonly region: string;
  readonly accountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`, from the region. */
  readonly partition: string;
  /** `amazonaws.com` (`amazonaws.com.cn` in China). */
  readonly urlSuffix: string;
  /** The assembly directory the template and its assets are relative to. */
  readonly assemblyDirectory: string;
}

/** The partition and URL suffix of a region. */
export function partitionOf(region: string): { readonly partition: string; readonly urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}
