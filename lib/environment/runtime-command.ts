import { access, constants } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
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

interface PythonInterpreter {
  /** The real executable (not a version manager's shim, which needs the user's shell environment). */
  readonly executable: string;
  /** `3.12` */
  readonly version: string;
}

const pythonInterpreters = new Map<string, PythonInterpreter | undefined>();

/** Asks a python command for its real executable and version; undefined when it does not run. */
function inspectPython(command: string): PythonInterpreter | undefined {
  if (!pythonInterpreters.has(command)) {
    try {
      const out = execFileSync(command, ['-c', 'import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [executable, version] = out.trim().split('\n');
      pythonInterpreters.set(command, executable && version ? { executable, version } : undefined);
    } catch {
      pythonInterpreters.set(command, undefined);
    }
  }
  return pythonInterpreters.get(command);
}

/**
 * True when the handler's module has a source map beside it (`index.js.map`, as NodejsFunction
 * writes with `sourceMap: true`): only then does Node.js pay for `--enable-source-maps`.
 */
async function hasSourceMap(taskRoot: string, handler: string | undefined): Promise<boolean> {
  if (handler === undefined) return false;
  const moduleAndExport = basename(handler);
  const moduleName = moduleAndExport.split('.')[0] ?? '';
  const modulePath = join(taskRoot, handler.slice(0, handler.length - moduleAndExport.length), moduleName);
  const found = await Promise.all(['.js', '.mjs', '.cjs'].map((extension) => access(`${modulePath}${extension}.map`).then(() => true, () => false)));
  return found.includes(true);
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
  handler?: string,
): Promise<RuntimeCommand | undefined> {
  switch (runtime.family) {
    case 'nodejs': {
      const localMajor = process.versions.node.split('.')[0];
      // Stack traces of a bundle point at the user's .ts sources.
      const sourceMaps = (await hasSourceMap(taskRoot, handler)) ? ['--enable-source-maps'] : [];
      return {
        file: process.execPath,
        args: [...sourceMaps, NODE_BOOTSTRAP_PATH],
        runtimeDir: join(NODE_BOOTSTRAP_PATH, '..'),
        notice:
          localMajor === runtime.version
            ? undefined
            : `${runtimeLabel} runs on the local Node.js ${process.versions.node}; install Node.js ${runtime.version} to match it exactly.`,
      };
    }
    case 'python': {
      const runtimeDir = join(PYTHON_BOOTSTRAP_PATH, '..');
      const exactCommand = await findOnPath(`python${runtime.version}`);
      const exact = exactCommand === undefined ? undefined : inspectPython(exactCommand);
      const genericCommand = await findOnPath('python3');
      const python = exact ?? (genericCommand === undefined ? undefined : inspectPython(genericCommand));
      if (python === undefined) return { file: 'python3', args: [PYTHON_BOOTSTRAP_PATH], runtimeDir };
      return {
        file: python.executable,
        args: [PYTHON_BOOTSTRAP_PATH],
        runtimeDir,
        notice:
          python.version === runtime.version
            ? undefined
            : `${runtimeLabel} runs on the local Python ${python.version}; install python${runtime.version} to match it exactly.`,
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
