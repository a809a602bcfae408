import { access, constants, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** An external extension: an executable file in `/opt/extensions`. */
export interface ExtensionFile {
  /** Its file name, which is the name it registers under. */
  readonly name: string;
  readonly path: string;
}

/** The executables of `<opt>/extensions`, in directory (name) order. */
export async function listExternalExtensions(optDirectory: string | undefined): Promise<ExtensionFile[]> {
  if (optDirectory === undefined) return [];
  const directory = join(optDirectory, 'extensions');
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch {
    return [];
  }
  const found: ExtensionFile[] = [];
  for (const name of names) {
    const path = join(directory, name);
    try {
      await access(path, constants.X_OK);
      found.push({ name, path });
    } catch {
      // Not executable: Lambda does not start it either.
    }
  }
  return found.slice(0, 10);
}

const HIDDEN_FROM_EXTENSIONS = new Set([
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);

/** The environment of an external extension: the runtime's, less what Lambda withholds (docs/conformance.md H.46). */
export function extensionVariables(runtimeVariables: Readonly<Record<string, string>>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(runtimeVariables)) {
    if (HIDDEN_FROM_EXTENSIONS.has(name) || name.startsWith('_')) continue;
    variables[name] = value;
  }
  return variables;
}
