import { findFunction, hasQualifier, type FunctionSpec } from '../../assembly/index.js';
import { ErrorCodes, isCdkLocalError } from '../../errors.js';
import { functionNotFound, invalidParameterValue, validationError, type ServiceError } from './service-error.js';

/** Where names that match no function are said to be, in the ARN of the error message. */
export interface ArnDefaults {
  readonly region: string;
  readonly accountId: string;
}

/** The function an API request names, and the qualifier it gave. */
export interface ServedFunction {
  readonly spec: FunctionSpec;
  /** `$LATEST`, a version number or an alias name when the caller gave one; undefined when unqualified. */
  readonly qualifier?: string;
  /** The ARN the function was invoked with, as Lambda gives it to the runtime (qualified when the caller qualified it). */
  readonly invokedFunctionArn: string;
}

// arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]
const FULL_ARN = /^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
// 123456789012:function:my-function[:qualifier]
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

// The FunctionName and Qualifier constraints of the Invoke API.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax
const MAX_FUNCTION_NAME_CHARS = 140;
const MAX_PLAIN_NAME_CHARS = 64;
const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_NAME = new RegExp(`^${FUNCTION_NAME_PATTERN}$`);
const MAX_QUALIFIER_CHARS = 128;
const QUALIFIER_PATTERN = '(|[a-zA-Z0-9$_-]+)';
const QUALIFIER = new RegExp(`^${QUALIFIER_PATTERN}$`);

function lookUp(functions: readonly FunctionSpec[], name: string): FunctionSpec | Error {
  try {
    // As Lambda, case counts and the name is taken as given.
    return findFunction(functions, name, { exact: true });
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

/** Refuses a `Qualifier` the service would refuse; an empty one is no qualifier. */
function checkQualifier(qualifier: string | string[] | undefined): string | undefined {
  if (Array.isArray(qualifier)) {
    throw validationError(`1 validation error detected: Value '${qualifier.join(',')}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  }
  if (qualifier === undefined || qualifier === '') return undefined;
  if (qualifier.length > MAX_QUALIFIER_CHARS) {
    throw validationError(`1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUALIFIER_CHARS}`);
  }
  if (!QUALIFIER.test(qualifier)) {
    throw validationError(`1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`);
  }
  return qualifier;
}

const NAME_QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]+)$/;

function patternMismatch(name: string): ServiceError {
  return validationError(`1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
}

/** Refuses a function name the service would refuse, once it named none of the app's functions. */
function checkFunctionName(name: string, plain: boolean): void {
  if (name.length === 0 || name.length > MAX_FUNCTION_NAME_CHARS) {
    const constraint = name.length === 0 ? 'Member must have length greater than or equal to 1' : `Member must have length less than or equal to ${MAX_FUNCTION_NAME_CHARS}`;
    throw validationError(`1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: ${constraint}`);
  }
  if (!FUNCTION_NAME.test(name)) throw patternMismatch(name);
  if (plain && name.replace(/:[^:]*$/, '').length > MAX_PLAIN_NAME_CHARS) {
    throw invalidParameterValue(`Function name '${name}' is longer than ${MAX_PLAIN_NAME_CHARS} characters; only an ARN may be longer.`);
  }
}

/**
 * Finds the function an Invoke API request names: a function name, a full or partial ARN
 * (each with an optional `:qualifier`), or any name cdk-local accepts (logical ID, construct
 * path, `Stack:LogicalId`). The qualifier, in the name or in `?Qualifier=`, is `$LATEST` or a
 * version or alias the app declares; any other is a `ResourceNotFoundException` as for a
 * version that was never published.
 */
export function findServedFunction(
  functions: readonly FunctionSpec[],
  name: string,
  rawQueryQualifier: string | string[] | undefined,
  defaults: ArnDefaults,
): ServedFunction {
  const queryQualifier = checkQualifier(rawQueryQualifier);
  let spec: FunctionSpec | undefined;
  let nameQualifier: string | undefined;
  let notFoundArn: string;
  let hint: string | undefined;

  const full = FULL_ARN.exec(name);
  const partial = full === null ? PARTIAL_ARN.exec(name) : null;
  if (full === null && partial === null) {
    notFoundArn = `arn:aws:lambda:${defaults.region}:${defaults.accountId}:function:${name}`;
    const whole = lookUp(functions, name);
    const colon = name.lastIndexOf(':');
    // `my-function:$LATEST`: a name with a qualifier.
    const qualified = whole instanceof Error && colon > 0 ? lookUp(functions, name.slice(0, colon)) : undefined;
    if (!(whole instanceof Error)) {
      spec = whole;
    } else if (qualified !== undefined && !(qualified instanceof Error)) {
      spec = qualified;
      nameQualifier = name.slice(colon + 1);
      if (!NAME_QUALIFIER.test(nameQualifier)) throw patternMismatch(name);
    } else {
      // A name of the app's own (a construct path) may break Lambda's rules; any other may not.
      checkFunctionName(name, true);
      hint = whole.message;
    }
  } else if (full !== null) {
    checkFunctionName(name, false);
    const [, partition, region, account, functionName, qualifier] = full;
    notFoundArn = `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
    spec = byArnOrName(functions, notFoundArn, functionName!);
    nameQualifier = qualifier;
  } else {
    checkFunctionName(name, false);
    const [, account, functionName, qualifier] = partial!;
    notFoundArn = `arn:aws:lambda:${defaults.region}:${account}:function:${functionName}`;
    spec = byArnOrName(functions, notFoundArn, functionName!);
    nameQualifier = qualifier;
  }

  if (nameQualifier !== undefined && queryQualifier !== undefined && nameQualifier !== queryQualifier) {
    throw invalidParameterValue('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = nameQualifier ?? queryQualifier;
  if (spec === undefined) throw functionNotFound(qualifier === undefined ? notFoundArn : `${notFoundArn}:${qualifier}`, hint);
  if (qualifier !== undefined && !hasQualifier(spec, qualifier)) {
    const known = ['$LATEST', ...(spec.versions ?? []).map((version) => version.version), ...(spec.aliases ?? []).map((alias) => alias.name)];
    throw functionNotFound(`${spec.functionArn}:${qualifier}`, `The app declares these qualifiers of it: ${known.join(', ')}`);
  }
  return {
    spec,
    ...(qualifier === undefined ? {} : { qualifier }),
    invokedFunctionArn: qualifier === undefined ? spec.functionArn : `${spec.functionArn}:${qualifier}`,
  };
}
