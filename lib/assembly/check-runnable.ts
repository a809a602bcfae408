import { CdkLocalError, ErrorCodes } from '../errors.js';
import type { FunctionSpec } from './function-spec.js';
import { runtimeFamily } from './runtime-family.js';

const WHAT_RUNS =
  'cdk-local runs zip functions of Node.js (nodejsNN.x), Python (python3.x) and provided.al2/al2023 runtimes without Docker';

/**
 * Throws {@link ErrorCodes.UNSUPPORTED_FUNCTION} with one sentence when cdk-local cannot
 * run the function: a container image, a runtime other than Node.js, Python and
 * `provided.*`, or code in S3 that the assembly does not carry.
 */
export function checkRunnable(spec: FunctionSpec): void {
  const name = spec.constructPath;
  if (spec.code.kind === 'image') {
    throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${name} is a container image function; ${WHAT_RUNS}.`);
  }
  if (spec.runtime === undefined) {
    throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${name} has no Runtime; ${WHAT_RUNS}.`);
  }
  if (runtimeFamily(spec.runtime) === undefined) {
    throw new CdkLocalError(ErrorCodes.UNSUPPORTED_FUNCTION, `${name} uses the ${spec.runtime} runtime; ${WHAT_RUNS}.`);
  }
  if (spec.code.kind === 's3') {
    const where = spec.code.bucket === '' && spec.code.key === '' ? 'outside the app' : `in s3://${spec.code.bucket}/${spec.code.key}`;
    throw new CdkLocalError(
      ErrorCodes.UNSUPPORTED_FUNCTION,
      `${name} has its code ${where}, not in an asset of the cloud assembly; cdk-local runs code the app carries (Code.fromAsset, Code.fromInline).`,
    );
  }
}
