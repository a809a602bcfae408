import { access, constants, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { execFile } from 'node:child_process';
import { NODE_BOOTSTRAP_PATH, PYTHON_BOOTSTRAP_PATH, linkPythonPackages, provideNodeBuild, provideNodeModules, providePythonSdk, runtimeExtraPackages, type PythonPackage, runtimeCacheDirectory, type RuntimeInfo } from '../runtimes/index.js';
import type { DiagnosticLogger } from './diagnostics.js';

/** The program that runs a function's runtime, and what it could not match exactly. */
export interface RuntimeCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** The directory standing for `/var/runtime`. */
  readonly runtimeDir: string;
  /** Set when the local interpreter's version differs from the function's runtime. */
  readonly notice?: string;
  /** The `node_modules` standing for `/var/runtime/node_modules` (the AWS SDK), when there is one. */
  readonly nodeModulesDirectory?: string;
  /** Python packages the runtime provides (boto3), put on the path after the code and layers. */
  readonly pythonPackages?: readonly PythonPackage[];
  /** A directory of links to {@link pythonPackages}, for plain processes. */
  readonly pythonPackagesDirectory?: string;
}

/** Where the pieces Lambda's runtimes provide (the AWS SDK, boto3, Node.js builds) are found. */
export interface RuntimeProvision {
  /** Where fetched pieces are kept. @default CDK_LOCAL_CACHE_DIR, else $XDG_CACHE_HOME/cdk-local, else ~/.cache/cdk-local */
  readonly cacheDirectory?: string;
  /** The user's project (the directory of cdk.json), searched first for installed SDKs. */
  readonly projectDirectory?: string;
  /** Run Node.js functions on the local `node` whatever major their runtime names. @default false */
  readonly localRuntime?: boolean;
}

/** {@link RuntimeProvision} with where its progress goes. */
export interface RuntimeProvisionOptions extends RuntimeProvision {  /** Receives progress and notices. */
  readonly onNotice?: (message: string) => void;
  readonly logger?: DiagnosticLogger;
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

/**
 * Where a `python3.X` may be: PATH, then pyenv's and uv's installations (whose shims or
 * links are not always on PATH for every version).
 */
async function pythonCandidates(version: string): Promise<string[]> {
  const found: string[] = [];
  const onPath = await findOnPath(`python${version}`);
  if (onPath !== undefined) found.push(onPath);
  const home = homedir();
  const roots: Array<[string, (name: string) => boolean]> = [
    [process.env.PYENV_ROOT === undefined ? join(home, '.pyenv', 'versions') : join(process.env.PYENV_ROOT, 'versions'), (name) => name === version || name.startsWith(`${version}.`)],
    [join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'uv', 'python'), (name) => name.startsWith(`cpython-${version}.`)],
  ];
  for (const [root, matches] of roots) {
    const names = (await readdir(root).catch(() => [] as string[])).filter(matches).sort().reverse();
    for (const name of names) {
      const candidate = join(root, name, 'bin', `python${version}`);
      if (await isExecutable(candidate)) found.push(candidate);
    }
  }
  return found;
}

interface PythonInterpreter {
  /** The real executable (not a version manager's shim, which needs the user's shell environment). */
  readonly executable: string;
  /** `3.12` */
  readonly version: string;
}

/** One probe per python command for the life of the process, shared by every environment. */
const pythonInterpreters = new Map<string, Promise<PythonInterpreter | undefined>>();

/** Asks a python command for its real executable and version; undefined when it does not run. */
function inspectPython(command: string): Promise<PythonInterpreter | undefined> {
  let inspected = pythonInterpreters.get(command);
  if (inspected === undefined) {
    // Asynchronous: a slow interpreter (a cold pyenv shim) must not stop every other environment.
    inspected = new Promise((resolve) => {
      const script = 'import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])';
      execFile(command, ['-c', script], { encoding: 'utf8', timeout: 10_000 }, (error, stdout) => {
        const [executable, version] = error === null ? stdout.trim().split('\n') : [];
        resolve(executable && version ? { executable, version } : undefined);
      });
    });
    pythonInterpreters.set(command, inspected);
  }
  return inspected;
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
 * Chooses how to start a runtime: a `node` of the runtime's major for Node.js (the local one
 * with `localRuntime`), with the AWS SDK it provides, the local `python3.X`
 * (else `python3`) for Python, the `bootstrap` of the code or a layer for `provided.*`.
 * Returns undefined for a `provided` function with no bootstrap: Lambda's
 * `Runtime.InvalidEntrypoint`.
 */
export async function resolveRuntimeCommand(
  runtime: RuntimeInfo,
  runtimeLabel: string,
  taskRoot: string,
  optDir: string | undefined,
  provision: RuntimeProvisionOptions = {},
  handler?: string,
): Promise<RuntimeCommand | undefined> {
  const cacheDirectory = provision.cacheDirectory ?? runtimeCacheDirectory();
  switch (runtime.family) {
    case 'nodejs': {
      const localMajor = process.versions.node.split('.')[0];
      // Stack traces of a bundle point at the user's .ts sources.
      const sourceMaps = (await hasSourceMap(taskRoot, handler)) ? ['--enable-source-maps'] : [];
      const context = { cacheDirectory, ...(provision.onNotice === undefined ? {} : { onNotice: provision.onNotice }) };
      const node = provision.localRuntime === true ? undefined : await provideNodeBuild(runtime.version, context);
      if (node !== undefined) provision.logger?.debug({ version: node.version, executable: node.executable, source: node.source }, `Node.js ${node.version} runs ${runtimeLabel}`);
      const modules = await provideNodeModules({
        cacheDirectory,
        codeDirectory: taskRoot,
        ...(optDir === undefined ? {} : { layersDirectory: optDir }),
        nodeMajor: runtime.version,
        extraPackages: runtimeExtraPackages(runtime.version),
        ...(provision.projectDirectory === undefined ? {} : { projectDirectory: provision.projectDirectory }),
        ...(provision.onNotice === undefined ? {} : { onNotice: provision.onNotice }),
      });
      provision.logger?.debug({ awsSdkVersion: modules?.awsSdkVersion, source: modules?.source, directory: modules?.directory }, modules === undefined ? 'no AWS SDK provided: the code names none' : `AWS SDK for JavaScript ${modules.awsSdkVersion ?? ''} provided from the ${modules.source}`);
      return {
        ...(modules === undefined ? {} : { nodeModulesDirectory: modules.directory }),
        file: node?.executable ?? process.execPath,
        args: [...sourceMaps, NODE_BOOTSTRAP_PATH],
        runtimeDir: join(NODE_BOOTSTRAP_PATH, '..'),
        notice:
          node !== undefined || localMajor === runtime.version
            ? undefined
            : `${runtimeLabel} runs on the local Node.js ${process.versions.node}; install Node.js ${runtime.version} to match it exactly.`,
      };
    }
    case 'python': {
      const runtimeDir = join(PYTHON_BOOTSTRAP_PATH, '..');
      let exact: PythonInterpreter | undefined;
      for (const candidate of await pythonCandidates(runtime.version)) {
        exact = await inspectPython(candidate);
        if (exact?.version === runtime.version) break;
        exact = undefined;
      }
      const genericCommand = exact === undefined ? await findOnPath('python3') : undefined;
      const python = exact ?? (genericCommand === undefined ? undefined : await inspectPython(genericCommand));
      if (python === undefined) return { file: 'python3', args: [PYTHON_BOOTSTRAP_PATH], runtimeDir };
      const sdk = await providePythonSdk({
        cacheDirectory,
        codeDirectory: taskRoot,
        ...(optDir === undefined ? {} : { layersDirectory: optDir }),
        python: python.executable,
        pythonVersion: runtime.version,
        ...(provision.projectDirectory === undefined ? {} : { projectDirectory: provision.projectDirectory }),
        ...(provision.onNotice === undefined ? {} : { onNotice: provision.onNotice }),
      });
      if (sdk !== undefined) provision.logger?.debug({ boto3Version: sdk.boto3Version, source: sdk.source, packages: sdk.packages }, `boto3 ${sdk.boto3Version ?? ''} provided from ${sdk.source}`);
      const packages = sdk?.packages ?? [];
      return {
        ...(packages.length === 0 ? {} : { pythonPackages: packages, pythonPackagesDirectory: await linkPythonPackages(cacheDirectory, packages) }),
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
