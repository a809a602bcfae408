import { readFile } from 'node:fs/promises';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { isRecord } from './cfn-template.js';

/**
 * Environment overrides in the shape of SAM CLI's `--env-vars` file: `Parameters` applies
 * to every function, any other key (a logical ID, a construct path or a function name) to
 * the functions it names. `null` unsets a variable.
 * @see https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/using-sam-cli-local-invoke.html
 */
export type EnvVarsOverrides = Readonly<Record<string, Readonly<Record<string, string | null>>>>;

/**
 * Reads and checks an `--env-vars` JSON file. Numbers and booleans become strings.
 * Throws {@link ErrorCodes.INVALID_ENV_VARS} naming the file and what is wrong with it.
 */
export async function readEnvVarsFile(path: string): Promise<EnvVarsOverrides> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new CdkLocalError(ErrorCodes.INVALID_ENV_VARS, `The --env-vars file ${path} ${problem}.`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CdkLocalError(ErrorCodes.INVALID_ENV_VARS, `The --env-vars file ${path} is not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
  return parseEnvVarsOverrides(json, `The --env-vars file ${path}`);
}

/**
 * Checks parsed `--env-vars` content and normalises its values to strings or null;
 * `subject` starts the error message ("The --env-vars file x.json").
 */
export function parseEnvVarsOverrides(json: unknown, subject = 'The environment overrides'): EnvVarsOverrides {
  const fail = (problem: string): never => {
    throw new CdkLocalError(ErrorCodes.INVALID_ENV_VARS, `${subject} ${problem}.`);
  };
  if (!isRecord(json)) {
    return fail('must hold a JSON object like {"Parameters": {"VAR": "value"}, "MyFunction": {"VAR": "value"}}');
  }
  const result: Record<string, Record<string, string | null>> = {};
  for (const [section, variables] of Object.entries(json)) {
    if (!isRecord(variables)) {
      return fail(`has "${section}" set to ${describe(variables)}, where an object of variables like {"VAR": "value"} belongs`);
    }
    const normalised: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (value === null || typeof value === 'string') normalised[name] = value;
      else if (typeof value === 'number' || typeof value === 'boolean') normalised[name] = String(value);
      else return fail(`sets ${section}.${name} to ${describe(value)}; values must be strings, numbers, booleans or null`);
    }
    result[section] = normalised;
  }
  return result;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
