import type { CfnResource } from './cfn-template.js';

/**
 * The construct path of a resource: its `aws:cdk:path` metadata without the trailing
 * `/Resource` that L2 constructs add for their L1 (`DemoStack/Api/Handler`), else `fallback`.
 */
export function constructPathOf(resource: CfnResource | undefined, fallback: string): string {
  const path = resource?.Metadata?.['aws:cdk:path'];
  if (typeof path !== 'string' || path === '') return fallback;
  return path.endsWith('/Resource') ? path.slice(0, -'/Resource'.length) : path;
}
