import type { CfnResource } from './cfn-template.js';

/**
 * The construct path of a resource: its `aws:cdk:path` metadata without the trailing
 * `/Resource` that L2 constructs add for their L1 (`DemoStack/Api/Handler`), else `fallback`.
 */
export function constructPathOf(resource: CfnResource | undefined, fallback: string): string {
  const path = resource?.Metadata?.['aws:cdk:path'];
  return typeof path !== 'string' || path === '' ? fallback : stripResource(path);
}

/** A construct path without the trailing `/Resource` of an L2's L1 child. */
export function stripResource(path: string): string {
  return path.endsWith('/Resource') ? path.slice(0, -'/Resource'.length) : path;
}
