import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How cdk-local runs a family of Lambda runtimes. */
export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

/** What cdk-local knows about one runtime identifier. */
export interface RuntimeInfo {
  readonly family: RuntimeFamily;
  /** `nodejs20.x` → '20'; `python3.12` → '3.12'; provided → 'al2023'. */
  readonly version: string;
  /** The value of `AWS_EXECUTION_ENV`, unset for `provided.*`. */
  readonly executionEnv?: string;
  /** The `Runtime Version` Lambda prints in INIT_START, e.g. `nodejs:20.v15`. */
  readonly runtimeVersion: string;
}

/** Describes a runtime identifier, or undefined when cdk-local cannot run it. */
export function describeRuntime(runtime: string): RuntimeInfo | undefined {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node?.[1] !== undefined) {
    return { family: 'nodejs', version: node[1], executionEnv: `AWS_Lambda_${runtime}`, runtimeVersion: `nodejs:${node[1]}.v1` };
  }
  const python = /^python(3\.\d+)$/.exec(runtime);
  if (python?.[1] !== undefined) {
    return { family: 'python', version: python[1], executionEnv: `AWS_Lambda_${runtime}`, runtimeVersion: `python:${python[1]}.v1` };
  }
  const provided = /^provided(?:\.(al2|al2023))?$/.exec(runtime);
  if (provided !== null) {
    const version = provided[1] ?? 'al1';
    return { family: 'provided', version, runtimeVersion: `provided:${version}.v1` };
  }
  return undefined;
}

/**
 * The folder holding the runtime clients cdk-local ships. Found from the package's root, not
 * from this file: the command line is bundled into one file (`dist/bin/cdk-local.js`), the
 * library is not, and tests run the sources; the compiled clients sit in `dist/lib/runtimes`,
 * the sources in `lib/runtimes`.
 */
function runtimesDirectory(): string {
  const here = fileURLToPath(import.meta.url);
  let root = dirname(here);
  while (!existsSync(join(root, 'package.json')) || !isThisPackage(join(root, 'package.json'))) {
    const parent = dirname(root);
    if (parent === root) return dirname(here);
    root = parent;
  }
  const compiled = here.startsWith(join(root, 'dist') + sep);
  return compiled ? join(root, 'dist', 'lib', 'runtimes') : join(root, 'lib', 'runtimes');
}

function isThisPackage(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

const PACKAGE_NAME = 'cdk-local-lambda';
const RUNTIMES_DIRECTORY = runtimesDirectory();

/** The Node.js runtime interface client shipped with cdk-local. */
export const NODE_BOOTSTRAP_PATH = join(RUNTIMES_DIRECTORY, 'node', 'bootstrap.mjs');

/** The Python runtime interface client shipped with cdk-local. */
export const PYTHON_BOOTSTRAP_PATH = join(RUNTIMES_DIRECTORY, 'python', 'bootstrap.py');
