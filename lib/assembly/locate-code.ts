import { resolve } from 'node:path';
import { codeLocationOfAsset } from './asset-index.js';
import { isRecord } from './cfn-template.js';
import type { CodeLocation } from './function-spec.js';
import { runtimeFamily } from './runtime-family.js';
import type { TemplateScope } from './template-scope.js';

/**
 * Where the code of a function (`Code`) or a layer (`Content`) is: inline `ZipFile`
 * source, a container image, an asset of the assembly (matched by its S3 object key in
 * the asset manifests, else by `aws:asset:path` metadata), or S3 code the assembly does
 * not carry.
 */
export function locateCode(scope: TemplateScope, logicalId: string, property: 'Code' | 'Content'): CodeLocation {
  const resource = scope.template.Resources[logicalId];
  const properties = resource?.Properties ?? {};
  const code = properties[property];
  const reasons: string[] = [];
  if (property === 'Code' && (properties['PackageType'] === 'Image' || (isRecord(code) && code['ImageUri'] !== undefined))) {
    const imageUri = isRecord(code) && code['ImageUri'] !== undefined ? scope.resolveString(code['ImageUri'], reasons) : undefined;
    return imageUri === undefined ? { kind: 'image' } : { kind: 'image', imageUri };
  }
  if (isRecord(code) && code['ZipFile'] !== undefined) {
    const runtime = scope.resolveString(properties['Runtime'], reasons);
    return { kind: 'inline', source: scope.resolveString(code['ZipFile'], reasons), fileName: inlineFileName(runtime) };
  }
  const key = isRecord(code) && code['S3Key'] !== undefined ? scope.resolveString(code['S3Key'], reasons) : undefined;
  const asset = key === undefined ? undefined : scope.assets.findByObjectKey(key);
  if (asset !== undefined) return codeLocationOfAsset(asset);
  const metadata = resource?.Metadata;
  const assetPath = metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string' && metadata?.['aws:asset:property'] === property) {
    const path = resolve(scope.environment.assemblyDirectory, assetPath);
    const indexed = scope.assets.findBySource(path);
    if (indexed !== undefined) return codeLocationOfAsset(indexed);
    return /\.(zip|jar)$/i.test(path) ? { kind: 'zip', path } : { kind: 'directory', path };
  }
  const bucket = isRecord(code) && code['S3Bucket'] !== undefined ? scope.resolveString(code['S3Bucket'], reasons) : '';
  return { kind: 's3', bucket, key: key ?? '' };
}

/**
 * CloudFormation writes inline code to a file named `index` with the runtime's
 * extension, whatever the handler says.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-code.html
 */
function inlineFileName(runtime: string): string {
  switch (runtimeFamily(runtime)) {
    case 'nodejs':
      return 'index.js';
    case 'python':
      return 'index.py';
    default:
      return 'index';
  }
}
