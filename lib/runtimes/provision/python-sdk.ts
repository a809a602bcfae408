import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import type { ProvisionContext } from './provision-context.js';

// Debian's botocore uses its python3-requests where upstream's vendors a copy.
/** boto3 and what it needs at run time: the packages taken from wherever boto3 is found. */
const BOTO3_CLOSURE = ['boto3', 'botocore', 's3transfer', 'jmespath', 'dateutil', 'urllib3', 'six.py', 'requests', 'certifi', 'idna', 'charset_normalizer', 'chardet'];
/** The durable execution SDK for Python, which Lambda bundles with python3.13 and later. */
const DURABLE_PACKAGE = 'aws_durable_execution_sdk_python';

const IMPORT = /^\s*(?:import|from)\s+(boto3|botocore|aws_durable_execution_sdk_python)\b/gm;

/** A package directory (or module file) to put on the function's path. */
export interface PythonPackage {
  /** `boto3`, `six.py` */
  readonly name: string;
  readonly source: string;
}

/** What {@link providePythonSdk} found. */
export interface ProvidedPythonSdk {
  /** The packages to add after the function's code and layers; empty when the interpreter has them itself. */
  readonly packages: readonly PythonPackage[];
  /** Where they came from, for `--debug`: `project venv /x/.venv`, `python3.12's own`... */
  readonly source: string;
  readonly boto3Version?: string;
}

/** Options of {@link providePythonSdk}. */
export interface ProvidePythonSdkOptions extends ProvisionContext {
  readonly codeDirectory: string;
  readonly layersDirectory?: string;
  /** The interpreter that runs the function. */
  readonly python: string;
  /** `3.12`: the function's runtime. */
  readonly pythonVersion: string;
}

const scans = new Map<string, Promise<ReadonlySet<string>>>();

async function scanPython(directory: string, found: Set<string>): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!BOTO3_CLOSURE.includes(entry.name) && entry.name !== '__pycache__') await scanPython(path, found);
    } else if (entry.name.endsWith('.py')) {
      const text = await readFile(path, 'utf8').catch(() => '');
      for (const match of text.matchAll(IMPORT)) found.add(match[1]!);
    }
  }
}

/** The runtime-provided Python packages (boto3, botocore, the durable SDK) a directory's modules import. Cached per directory. */
function scanPythonImports(directory: string): Promise<ReadonlySet<string>> {
  let scanned = scans.get(directory);
  if (scanned === undefined) {
    const found = new Set<string>();
    scanned = scanPython(directory, found).then(() => found);
    scans.set(directory, scanned);
  }
  return scanned;
}

/** The packages of `names` in a site directory, or undefined when the first is not there. */
function takeFrom(site: string, names: readonly string[]): PythonPackage[] | undefined {
  if (!existsSync(join(site, names[0]!))) return undefined;
  return names.filter((name) => existsSync(join(site, name))).map((name) => ({ name, source: realpathSync(join(site, name)) }));
}

function boto3Version(packages: readonly PythonPackage[]): string | undefined {
  const init = packages.find((entry) => entry.name === 'boto3');
  if (init === undefined) return undefined;
  try {
    return /__version__\s*=\s*['"]([^'"]+)['"]/.exec(readFileSync(join(init.source, '__init__.py'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Site directories of the virtual environments (`.venv`, `venv`) at or above the project. */
async function projectSites(projectDirectory: string | undefined): Promise<string[]> {
  const sites: string[] = [];
  let current = projectDirectory;
  while (current !== undefined) {
    for (const venv of ['.venv', 'venv', '.env', 'env']) {
      const lib = join(current, venv, 'lib');
      for (const name of await readdir(lib).catch(() => [] as string[])) {
        if (name.startsWith('python3')) sites.push(join(lib, name, 'site-packages'));
      }
    }
    const parent = dirname(current);
    current = parent === current ? undefined : parent;
  }
  return sites;
}

const ownImports = new Map<string, Promise<boolean>>();

/** Whether `python` itself imports `module` (from its own site-packages); asked once per process. */
function importsItself(python: string, module: string): Promise<boolean> {
  const key = `${python}\0${module}`;
  let answer = ownImports.get(key);
  if (answer === undefined) {
    answer = execa(python, ['-I', '-c', `import ${module}`], { reject: false, stdin: 'ignore', timeout: 30_000 }).then((result) => result.exitCode === 0);
    ownImports.set(key, answer);
  }
  return answer;
}

const DEBIAN_SITE = '/usr/lib/python3/dist-packages';

/**
 * Finds boto3 for a Python function that imports it (Lambda's Python runtimes include it),
 * never silently through whatever the host's interpreter happens to have on its path: the
 * project's virtual environment, the function's interpreter's own site-packages, cdk-local's
 * cache (filled by pip on first use), Debian's python3-boto3. The durable execution SDK is
 * provided only where one of these already has it. Undefined when the function imports
 * neither; throws a one-sentence {@link CdkLocalError} when boto3 cannot be had.
 */
export async function providePythonSdk(options: ProvidePythonSdkOptions): Promise<ProvidedPythonSdk | undefined> {
  const named = new Set(await scanPythonImports(options.codeDirectory));
  if (options.layersDirectory !== undefined) for (const name of await scanPythonImports(options.layersDirectory)) named.add(name);
  const wantsBoto3 = named.has('boto3') || named.has('botocore');
  const wantsDurable = named.has(DURABLE_PACKAGE) && Number(options.pythonVersion.split('.')[1]) >= 13;
  if (!wantsBoto3 && !wantsDurable) return undefined;
  const ownSite = (layers: string | undefined): string[] =>
    [options.codeDirectory, ...(layers === undefined ? [] : [join(layers, 'python'), join(layers, 'python', 'lib', `python${options.pythonVersion}`, 'site-packages')])];
  const bringsItself = (name: string): boolean => ownSite(options.layersDirectory).some((dir) => existsSync(join(dir, name)));

  const packages: PythonPackage[] = [];
  const sources: string[] = [];
  if (wantsBoto3 && !bringsItself('boto3')) {
    const found = await findBoto3(options);
    packages.push(...found.packages);
    sources.push(found.source);
  }
  if (wantsDurable && !bringsItself(DURABLE_PACKAGE)) {
    const sites = [...(await projectSites(options.projectDirectory)), DEBIAN_SITE];
    const durable = sites.map((site) => takeFrom(site, [DURABLE_PACKAGE])).find((found) => found !== undefined);
    if (durable !== undefined) packages.push(...durable);
    else if (!(await importsItself(options.python, DURABLE_PACKAGE))) {
      options.onNotice?.(
        `The function imports ${DURABLE_PACKAGE}, which Lambda's python${options.pythonVersion} includes but cdk-local provides only when it is installed locally: install aws-durable-execution-sdk-python into the project's .venv.`,
      );
    }
  }
  const version = boto3Version(packages);
  return { packages, source: sources.join(', ') || 'the function itself', ...(version === undefined ? {} : { boto3Version: version }) };
}

async function findBoto3(options: ProvidePythonSdkOptions): Promise<{ packages: PythonPackage[]; source: string }> {
  for (const site of await projectSites(options.projectDirectory)) {
    const packages = takeFrom(site, BOTO3_CLOSURE);
    if (packages !== undefined) return { packages, source: `the project's ${dirname(dirname(dirname(site)))}` };
  }
  if (await importsItself(options.python, 'boto3')) return { packages: [], source: `${options.python}'s own site-packages` };
  const cache = join(options.cacheDirectory, 'python', options.pythonVersion, 'boto3');
  const cached = takeFrom(cache, BOTO3_CLOSURE);
  if (cached !== undefined) return { packages: cached, source: `the cache ${cache}` };
  const debian = takeFrom(DEBIAN_SITE, BOTO3_CLOSURE);
  if (debian !== undefined) return { packages: debian, source: `Debian's python3-boto3 in ${DEBIAN_SITE}` };

  const command = `${options.python} -m pip install --target ${cache} boto3`;
  options.onNotice?.(`Installing boto3 into ${cache} with pip (first use; Lambda's Python runtimes include it)...`);
  await mkdir(cache, { recursive: true });
  const release = await lockfile.lock(cache, { retries: { retries: 600, minTimeout: 200, maxTimeout: 1000 }, stale: 120_000, realpath: false });
  try {
    if (takeFrom(cache, BOTO3_CLOSURE) === undefined) {
      const result = await execa(options.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', '1', '--timeout', '15', '--target', cache, 'boto3'], {
        reject: false,
        stdin: 'ignore',
        timeout: 10 * 60_000,
      });
      if (result.failed) {
        const detail = result.stderr.split('\n').filter((line) => line.trim() !== '').pop() ?? result.shortMessage ?? 'it failed';
        throw new CdkLocalError(
          ErrorCodes.RUNTIME_NOT_FOUND,
          `The function imports boto3, which Lambda's Python runtimes include, and cdk-local could not find it locally nor install it (${detail.trim()}): run \`${command}\`, install it into the project's .venv, or apt-get install python3-boto3.`,
        );
      }
    }
  } finally {
    await release();
  }
  return { packages: takeFrom(cache, BOTO3_CLOSURE) ?? [], source: `the cache ${cache} (pip)` };
}

/**
 * A directory of links to `packages`, to put on a plain process's PYTHONPATH: one per set of
 * packages, in the cache.
 */
export async function linkPythonPackages(cacheDirectory: string, packages: readonly PythonPackage[]): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(packages)).digest('hex').slice(0, 16);
  const directory = join(cacheDirectory, 'python', 'sites', key);
  if (existsSync(directory)) return directory;
  // Made aside and renamed into place: another environment may be making the same one.
  const making = `${directory}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(making, { recursive: true });
  for (const entry of packages) await symlink(entry.source, join(making, entry.name));
  await rename(making, directory).catch(() => rm(making, { recursive: true, force: true }));
  return directory;
}
