import { CdkLocalError, ErrorCodes } from '../errors.js';
import { declaredUnzippedBytes, MAX_UNZIPPED_CODE_BYTES, UnzippedTooLargeError } from './extract-zip.js';
import type { CodeLocation, FunctionSpec } from './function-spec.js';
import { prepareCode } from './prepare-code.js';
import { prepareLayers, type PreparedLayers } from './prepare-layers.js';

/** What {@link prepareFunctionCode} made. */
export interface PreparedFunctionCode {
  /** The function's code, ready to run. */
  readonly codeDirectory: string;
  readonly layers: PreparedLayers;
}

function tooLarge(spec: FunctionSpec, cause?: unknown): CdkLocalError {
  return new CdkLocalError(
    ErrorCodes.CODE_TOO_LARGE,
    `${spec.constructPath}'s code and layers unpack to more than ${MAX_UNZIPPED_CODE_BYTES} bytes, which Lambda refuses (250 MB unzipped); make the package smaller, or ship it as a container image.`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * Prepares a function's code and layers ({@link prepareCode}, {@link prepareLayers}) and holds
 * them to Lambda's limit of 262,144,000 bytes unzipped, code and layers together: the sizes
 * the zips declare are added up before anything is unpacked, and each zip stops unpacking
 * at the limit should it hold more than it declares. Asset directories are used as they
 * are, not counted. Throws {@link ErrorCodes.CODE_TOO_LARGE} naming the function.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export async function prepareFunctionCode(spec: FunctionSpec, cacheDir: string): Promise<PreparedFunctionCode> {
  const zips = [spec.code, ...spec.layers.map((layer) => layer.code)].filter((code): code is CodeLocation & { kind: 'zip' } => code?.kind === 'zip');
  const sizes = await Promise.all(zips.map((zip) => declaredUnzippedBytes(zip.path)));
  if (sizes.reduce((sum, size) => sum + size, 0) > MAX_UNZIPPED_CODE_BYTES) throw tooLarge(spec);
  try {
    const [codeDirectory, layers] = await Promise.all([prepareCode(spec.code, cacheDir), prepareLayers(spec.layers, cacheDir)]);
    return { codeDirectory, layers };
  } catch (error) {
    if (error instanceof UnzippedTooLargeError) throw tooLarge(spec, error);
    throw error;
  }
}
