import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NODE_BOOTSTRAP_PATH, PYTHON_BOOTSTRAP_PATH, type RuntimeInfo } from '../runtimes/index.js';

/** The program that runs a function's runtime, and what it could not match exactly. */
export interface RuntimeCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** The directory standing for `/var/runtime`. */
  readonly runtimeDir: string;
  /** Set when the local interpreter's version differs from the function's runtime. */
  readonly notice?: string;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

const pythonVersions = new Map<string, string | undefined>();

function pythonVersionOf(executable: string): string | undefined {
  if (!pythonVersions.has(executable)) {
    try {
      const out = execFileSync(executable, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 10_000 });
      pythonVersions.set(executable, out.trim());
    } catch {
      pythonVersions.set(executable, undefined);
    }
  }
  return pythonVersions.get(executable);
}

/**
 * Chooses how to start a runtime: the local `node` for Node.js, the local `python3.X`
 * (else `python3`) for Python, the `bootstrap` of the code or a layer for `provided.*`.
 * Returns undefined for a `provided` function with no bootstrap: Lambda's
 * `Runtime.InvalidEntrypoint`.
 */
export async function resolveRuntimeCommand(
  runtime: RuntimeInfo,
  runtimeLabel: string,
  taskRoot: string,
  optDir: string | undefined,
): Promise<RuntimeCommand | undefined> {
  switch (runtime.family) {
    case 'nodejs': {
      const localMajor = process.versions.node.split('.')[0];
      return {
        file: process.execPath,
        args: [NODE_BOOTSTRAP_PATH],
        runtimeDir: join(NODE_BOOTSTRAP_PATH, '..'),
        notice:
          localMajor === runtime.version
            ? undefined
            : `${runtimeLabel} runs on the local Node.js ${process.versions.node}; install Node.js ${runtime.version} to match it exactly.`,
      };
    }
    case 'python': {
      const exact = await findOnPath(`python${runtime.version}`);
      const file = exact ?? (await findOnPath('python3'));
      if (file === undefined) return { file: 'python3', args: [PYTHON_BOOTSTRAP_PATH], runtimeDir: join(PYTHON_BOOTSTRAP_PATH, '..') };
      const localVersion = exact === undefined ? pythonVersionOf(file) : runtime.version;
      return {
        file,
        args: [PYTHON_BOOTSTRAP_PATH],
        runtimeDir: join(PYTHON_BOOTSTRAP_PATH, '..'),
        notice:
          localVersion === runtime.version
            ? undefined
            : `${runtimeLabel} runs on the local Python ${localVersion ?? '(unknown version)'}; install python${runtime.version} to match it exactly.`,
      };
    }
    case 'provided': {
      for (const dir of [taskRoot, optDir]) {
        if (dir === undefined) continue;
        const bootstrap = join(dir, 'bootstrap');
        if (await isExecutable(bootstrap)) return { file: bootstrap, args: [], runtimeDir: dir };
      }
      return undefined;
    }
  }
}
