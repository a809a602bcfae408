import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { extractZip } from './extract-zip.js';
import type { CodeLocation } from './function-spec.js';
import { materialiseDirectory } from './materialise-directory.js';

/**
 * Makes a function's or layer's code ready to run and returns its directory: an asset
 * directory as it is; an asset zip unpacked once into `<cacheDir>/<sha256>/` (keyed by
 * the zip's path, size and modification time); inline code written once to
 * `<cacheDir>/inline-<sha256>/<fileName>`. Container images and S3 code cannot be
 * prepared and throw {@link ErrorCodes.UNSUPPORTED_FUNCTION}.
 */
export async function prepareCode(location: CodeLocation, cacheDir: string): Promise<string> {
  switch (location.kind) {
    case 'directory': {
      const info = await statOrUndefined(location.path);
      if (info?.isDirectory() !== true) {
        throw new CdkLocalError(
          ErrorCodes.ASSEMBLY_INVALID,
          `The code directory ${location.path} is missing from the cloud assembly; synthesize the app again.`,
        );
      }
      return location.path;
    }
    case 'zip': {
      const info = await statOrUndefined(location.path);
      if (info?.isFile() !== true) {
        throw new CdkLocalError(
          ErrorCodes.ASSEMBLY_INVALID,
          `The code zip ${location.path} is missing from the cloud assembly; synthesize the app again.`,
        );
      }
      const key = sha256(`${location.path}\0${info.size}\0${info.mtimeMs}`);
      const directory = join(cacheDir, key);
      return materialiseDirectory(directory, async (temporary) => {
        await extractZip(location.path, temporary);
      });
    }
    case 'inline': {
      const key = sha256(`${location.fileName}\0${location.source}`);
      return materialiseDirectory(join(cacheDir, `inline-${key}`), (temporary) =>
        writeFile(join(temporary, location.fileName), location.source, { mode: 0o644 }),
      );
    }
    case 'image':
      throw new CdkLocalError(
        ErrorCodes.UNSUPPORTED_FUNCTION,
        `The container image${location.imageUri === undefined ? '' : ` ${location.imageUri}`} cannot run without Docker; cdk-local runs zip functions only.`,
      );
    case 's3':
      throw new CdkLocalError(
        ErrorCodes.UNSUPPORTED_FUNCTION,
        `The code in s3://${location.bucket}/${location.key} is not part of the cloud assembly; cdk-local runs code the app carries (Code.fromAsset, Code.fromInline).`,
      );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}
