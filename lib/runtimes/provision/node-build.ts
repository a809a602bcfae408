import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import { npmInstall } from './npm-install.js';
import type { ProvisionContext } from './provision-context.js';

/** A Node.js executable of the major a function's runtime names. */
export interface NodeBuild {
  readonly executable: string;
  /** `22.23.5` */
  readonly version: string;
  /** `local`: this process's own node; `cache`: a build fetched into the cache. */
  readonly source: 'local' | 'cache';
}

/**
 * The npm package that carries the official Node.js binaries for this machine (the Node.js
 * project publishes them to the npm registry as `node-<platform>-<arch>`).
 */
function binaryPackage(): string | undefined {
  const platforms: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin' };
  const architectures: Partial<Record<string, string>> = { x64: 'x64', arm64: 'arm64' };
  const platform = platforms[process.platform];
  const arch = architectures[process.arch];
  return platform === undefined || arch === undefined ? undefined : `node-${platform}-${arch}`;
}

const fetches = new Map<string, Promise<void>>();

function installedVersion(directory: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(directory, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * A Node.js of `major`: this process's own when it is of that major, else an official build
 * fetched once from the npm registry into `<cache>/node/<major>` (npm verifies the tarball
 * against the registry's SHA-512 integrity hash) and reused offline afterwards. Throws a
 * one-sentence {@link CdkLocalError} when it cannot be had.
 */
export async function provideNodeBuild(major: string, context: ProvisionContext): Promise<NodeBuild> {
  if (process.versions.node.split('.')[0] === major) return { executable: process.execPath, version: process.versions.node, source: 'local' };
  const name = binaryPackage();
  if (name === undefined) {
    throw new CdkLocalError(ErrorCodes.RUNTIME_NOT_FOUND, `No Node.js ${major} build is published for ${process.platform}-${process.arch}: install Node.js ${major} and run cdk-local with it, or pass --local-runtime.`);
  }
  const directory = join(context.cacheDirectory, 'node', major);
  const executable = join(directory, 'node_modules', name, 'bin', 'node');
  const ready = (): boolean => existsSync(executable) && installedVersion(directory, name)?.split('.')[0] === major;
  if (!ready()) {
    // Environments starting together share one fetch (and one notice).
    let fetching = fetches.get(directory);
    if (fetching === undefined) {
      context.onNotice?.(`Fetching Node.js ${major} (${name}) from the npm registry into ${directory} (first use)...`);
      fetching = npmInstall({
        directory,
        missing: () => Promise.resolve(ready() ? [] : [`${name}@${major}`]),
        purpose: `Node.js ${major}`,
        remedy: `check that npm can reach its registry, or pass --local-runtime to run on the local Node.js ${process.versions.node}`,
      }).finally(() => fetches.delete(directory));
      fetches.set(directory, fetching);
    }
    await fetching;
    if (!ready()) {
      const found = existsSync(join(directory, 'node_modules', name)) ? readdirSync(join(directory, 'node_modules', name)).join(', ') : 'nothing';
      throw new CdkLocalError(ErrorCodes.RUNTIME_NOT_FOUND, `The Node.js ${major} package in ${directory} has no bin/node (found ${found}): remove that directory and try again, or pass --local-runtime.`);
    }
  }
  return { executable, version: installedVersion(directory, name) ?? major, source: 'cache' };
}
