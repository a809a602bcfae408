import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRecord } from './cfn-template.js';
import type { CodeLocation } from './function-spec.js';

/** One file asset of an assembly: a directory CDK zips at publish time, or a file. */
export interface FileAsset {
  /** Absolute path of the asset's source. */
  readonly path: string;
  /** `zip`: a directory that is zipped on publish; `file`: published as is. */
  readonly packaging: 'zip' | 'file';
}

/** The file assets of one assembly directory, by S3 object key and by source path. */
export class AssetIndex {
  private readonly byKey = new Map<string, FileAsset>();
  private readonly bySource = new Map<string, FileAsset>();

  /** Adds the file assets of one parsed `*.assets.json`. */
  add(assetManifest: unknown, assemblyDirectory: string): void {
    if (!isRecord(assetManifest) || !isRecord(assetManifest['files'])) return;
    for (const asset of Object.values(assetManifest['files'])) {
      if (!isRecord(asset) || !isRecord(asset['source']) || typeof asset['source']['path'] !== 'string') continue;
      const fileAsset: FileAsset = {
        path: resolve(assemblyDirectory, asset['source']['path']),
        packaging: asset['source']['packaging'] === 'zip' ? 'zip' : 'file',
      };
      this.bySource.set(fileAsset.path, fileAsset);
      if (!isRecord(asset['destinations'])) continue;
      for (const destination of Object.values(asset['destinations'])) {
        if (isRecord(destination) && typeof destination['objectKey'] === 'string') {
          this.byKey.set(destination['objectKey'], fileAsset);
        }
      }
    }
  }

  /** The asset published under an S3 object key (`<hash>.zip`, `<hash>.json`). */
  findByObjectKey(objectKey: string): FileAsset | undefined {
    return this.byKey.get(objectKey);
  }

  /** The asset whose source is at an absolute path. */
  findBySource(path: string): FileAsset | undefined {
    return this.bySource.get(path);
  }
}

/** Reads the asset manifests of one assembly directory into an {@link AssetIndex}; unreadable ones become warnings. */
export async function readAssetIndex(
  assemblyDirectory: string,
  manifestFiles: readonly string[],
  warnings: string[],
): Promise<AssetIndex> {
  const index = new AssetIndex();
  const parsed = await Promise.all(
    manifestFiles.map(async (file) => {
      const path = resolve(assemblyDirectory, file);
      try {
        return JSON.parse(await readFile(path, 'utf8')) as unknown;
      } catch (error) {
        warnings.push(`Could not read the asset manifest ${path} (${(error as Error).message}); code of its functions may not be found.`);
        return undefined;
      }
    }),
  );
  for (const manifest of parsed) index.add(manifest, assemblyDirectory);
  return index;
}

/**
 * Where the code of an asset is: a `zip`-packaged asset is a directory used as is; a
 * `file` asset is a zip (or jar) to unpack.
 */
export function codeLocationOfAsset(asset: FileAsset): CodeLocation {
  return asset.packaging === 'zip' ? { kind: 'directory', path: asset.path } : { kind: 'zip', path: asset.path };
}
