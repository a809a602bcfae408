import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { npmInstall } from './npm-install.js';
import type { ProvisionContext } from './provision-context.js';
import { scanRuntimeImports } from './scan-imports.js';

/**
 * The AWS SDK for JavaScript v3 release cdk-local provides when the project has none: one
 * release for every Node.js runtime, close to what Lambda's runtimes ship (Lambda updates
 * theirs with each runtime release, https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
 */
export const AWS_SDK_VERSION = '3.1169.0';

/**
 * The durable execution SDK release cdk-local provides to `nodejs22.x` and later functions
 * that do not bring their own, as Lambda's runtimes do.
 */
export const DURABLE_EXECUTION_SDK_VERSION = '2.4.0';

/** Packages beyond the AWS SDK that Lambda's Node.js runtime of `major` includes, with the version cdk-local provides. */
export function runtimeExtraPackages(major: string): ReadonlyMap<string, string> {
  return Number(major) >= 22 ? new Map([['@aws/durable-execution-sdk-js', DURABLE_EXECUTION_SDK_VERSION]]) : new Map();
}

/** Where a runtime-provided package set came from. */
export interface ProvidedModules {
  /** The `node_modules` directory that stands for `/var/runtime/node_modules`. */
  readonly directory: string;
  /** `project`: the user's own installation; `cache`: cdk-local's. */
  readonly source: 'project' | 'cache';
  /** The version of the AWS SDK clients in it, when there are any. */
  readonly awsSdkVersion?: string;
}

/** Options of {@link provideNodeModules}. */
export interface ProvideNodeModulesOptions extends ProvisionContext {
  /** The function's code. */
  readonly codeDirectory: string;
  /** The merged layers, if any. */
  readonly layersDirectory?: string;
  /** The Node.js major of the runtime (`22`), for the layer's `nodejs/node22/node_modules`. */
  readonly nodeMajor: string;
  /** Packages the runtime provides beyond the AWS SDK (the durable execution SDK). */
  readonly extraPackages?: ReadonlyMap<string, string>;
}

const installs = new Map<string, Promise<void>>();

function hasPackage(nodeModules: string, name: string): boolean {
  return existsSync(join(nodeModules, name, 'package.json'));
}

function packageVersion(nodeModules: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The nearest `node_modules` at or above `directory` that holds `@aws-sdk` packages. */
function findProjectModules(directory: string): string | undefined {
  let current = directory;
  for (;;) {
    const candidate = join(current, 'node_modules');
    if (existsSync(join(candidate, '@aws-sdk'))) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function sdkVersionIn(nodeModules: string, names: Iterable<string>): string | undefined {
  for (const name of names) {
    if (name.startsWith('@aws-sdk/client-')) {
      const version = packageVersion(nodeModules, name);
      if (version !== undefined) return version;
    }
  }
  return undefined;
}

/**
 * Finds or installs what Lambda's Node.js runtimes keep in `/var/runtime/node_modules` for
 * the packages a function names but does not bring (in its code or its layers): the AWS SDK
 * for JavaScript v3 (`@aws-sdk/*`, `@smithy/*`) and, for the runtimes that bundle it, the
 * durable execution SDK. The user's project is searched first (the nearest `node_modules`
 * with `@aws-sdk` at or above the project directory), used when it has all of them; else
 * cdk-local's cache, filled with npm on first use. Undefined when the function names none
 * that it does not bring itself.
 */
export async function provideNodeModules(options: ProvideNodeModulesOptions): Promise<ProvidedModules | undefined> {
  const { codeDirectory, layersDirectory, nodeMajor } = options;
  const ownModules = [join(codeDirectory, 'node_modules')];
  if (layersDirectory !== undefined) {
    ownModules.push(join(layersDirectory, 'nodejs', `node${nodeMajor}`, 'node_modules'), join(layersDirectory, 'nodejs', 'node_modules'));
  }
  const named = new Set(await scanRuntimeImports(codeDirectory));
  if (layersDirectory !== undefined) for (const name of await scanRuntimeImports(layersDirectory)) named.add(name);
  const extra = options.extraPackages ?? new Map<string, string>();
  const needed = [...named].filter((name) => (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || extra.has(name)) && !ownModules.some((dir) => hasPackage(dir, name)));

  // Nothing named, nothing provided: no resolve hook to start, nothing of the project to expose.
  if (needed.length === 0) return undefined;
  const project = options.projectDirectory === undefined ? undefined : findProjectModules(options.projectDirectory);
  if (project !== undefined && needed.every((name) => hasPackage(project, name))) {
    const version = sdkVersionIn(project, needed);
    return { directory: project, source: 'project', ...(version === undefined ? {} : { awsSdkVersion: version }) };
  }

  // One set per runtime generation: a runtime must not see what only a later one includes.
  const extraKey = [...extra].map(([name, version]) => `+${name.split('/').pop() ?? name}@${version}`).join('');
  const cache = join(options.cacheDirectory, 'aws-sdk', `${AWS_SDK_VERSION}${extraKey}`);
  const cacheModules = join(cache, 'node_modules');
  const specifier = (name: string): string => {
    const pinned = extra.get(name);
    if (pinned !== undefined) return `${name}@${pinned}`;
    return name.startsWith('@aws-sdk/client-') ? `${name}@${AWS_SDK_VERSION}` : name;
  };
  const missing = (): string[] => needed.filter((name) => !hasPackage(cacheModules, name)).map(specifier);
  if (missing().length > 0) {
    // Environments of one function starting together share one install (and one notice).
    const key = `${cache}\0${missing().join(' ')}`;
    let install = installs.get(key);
    if (install === undefined) {
      options.onNotice?.(`Installing ${missing().join(', ')} into ${cache} (first use; Lambda's Node.js runtimes include them)...`);
      install = npmInstall({ directory: cache, missing: () => Promise.resolve(missing()), purpose: "the packages Lambda's Node.js runtimes include" }).finally(() => installs.delete(key));
      installs.set(key, install);
    }
    await install;
  }
  return { directory: cacheModules, source: 'cache', awsSdkVersion: sdkVersionIn(cacheModules, needed) ?? AWS_SDK_VERSION };
}
