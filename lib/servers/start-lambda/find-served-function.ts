import { findFunction, type FunctionSpec } from '../../assembly/index.js';
import { ErrorCodes, isCdkLocalError } from '../../errors.js';
import { LATEST_VERSION } from './lambda-headers.js';
import { functionNotFound, invalidParameterValue } from './service-error.js';

/** Where names that match no function are said to be, in the ARN of the error message. */
export interface ArnDefaults {
  readonly region: string;
  readonly accountId: string;
}

/** The function an API request names, and the qualifier it gave. */
export interface ServedFunction {
  readonly spec: FunctionSpec;
  /** `$LATEST` when the caller named it; undefined when unqualified. */
  readonly qualifier?: string;
  /** The ARN the function was invoked with, as Lambda gives it to the runtime (qualified when the caller qualified it). */
  readonly invokedFunctionArn: string;
}

// arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]
const FULL_ARN = /^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
// 123456789012:function:my-function[:qualifier]
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

function lookUp(functions: readonly FunctionSpec[], name: string): FunctionSpec | Error {
  try {
    return findFunction(functions, name);
  } catch (error) {
    if (isCdkLocalError(error) && error.code === ErrorCodes.FUNCTION_NOT_FOUND) return error;
    throw error;
  }
}

function byArnOrName(functions: readonly FunctionSpec[], unqualifiedArn: string, functionName: string): FunctionSpec | undefined {
  // An ARN whose region or account differs from the app's still finds the function of that
  // name: the ARN was most likely built by hand, and one machine has one "account".
  return functions.find((spec) => spec.functionArn === unqualifiedArn) ?? functions.find((spec) => spec.functionName === functionName);
}

/**
 * Finds the function an Invoke API request names: a function name, a full or partial ARN
 * (each with an optional `:qualifier`), or any name cdk-local accepts (logical ID, construct
 * path, `Stack:LogicalId`). Only `$LATEST` exists; any other qualifier, in the name or in
 * `?Qualifier=`, is a `ResourceNotFoundException` as for a version that was never published.
 */
export function findServedFunction(
  functions: readonly FunctionSpec[],
  name: string,
  queryQualifier: string | undefined,
  defaults: ArnDefaults,
): ServedFunction {
  let spec: FunctionSpec | undefined;
  let nameQualifier: string | undefined;
  let notFoundArn: string;
  let hint: string | undefined;

  const full = FULL_ARN.exec(name);
  const partial = full === null ? PARTIAL_ARN.exec(name) : null;
  if (full !== null) {
    const [, partition, region, account, functionName, qualifier] = full;
    notFoundArn = `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
    spec = byArnOrName(functions, notFoundArn, functionName!);
    nameQualifier = qualifier;
  } else if (partial !== null) {
    const [, account, functionName, qualifier] = partial;
    notFoundArn = `arn:aws:lambda:${defaults.region}:${account}:function:${functionName}`;
    spec = byArnOrName(functions, notFoundArn, functionName!);
    nameQualifier = qualifier;
  } else {
    notFoundArn = `arn:aws:lambda:${defaults.region}:${defaults.accountId}:function:${name}`;
    const whole = lookUp(functions, name);
    if (!(whole instanceof Error)) {
      spec = whole;
    } else {
      hint = whole.message;
      const colon = name.lastIndexOf(':');
      if (colon > 0) {
        // `my-function:$LATEST`: a name with a qualifier.
        const qualified = lookUp(functions, name.slice(0, colon));
        if (!(qualified instanceof Error)) {
          spec = qualified;
          nameQualifier = name.slice(colon + 1);
        }
      }
    }
  }

  if (nameQualifier !== undefined && queryQualifier !== undefined && nameQualifier !== queryQualifier) {
    throw invalidParameterValue('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = nameQualifier ?? queryQualifier;
  if (spec === undefined) throw functionNotFound(qualifier === undefined ? notFoundArn : `${notFoundArn}:${qualifier}`, hint);
  if (qualifier !== undefined && qualifier !== LATEST_VERSION) {
    throw functionNotFound(`${spec.functionArn}:${qualifier}`, 'cdk-local runs $LATEST only: versions and aliases are not emulated');
  }
  return {
    spec,
    ...(qualifier === undefined ? {} : { qualifier }),
    invokedFunctionArn: qualifier === undefined ? spec.functionArn : `${spec.functionArn}:${qualifier}`,
  };
}
