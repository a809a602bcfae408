import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { CdkLocalError, ErrorCodes } from '../../errors.js';

/** Options of {@link npmInstall}. */
export interface NpmInstallOptions {
  /** The directory of the private package the packages go into (its `node_modules`). */
  readonly directory: string;
  /** The `name@version` specifiers still missing, asked again once the directory is ours. */
  readonly missing: () => Promise<readonly string[]>;
  /** What the packages are for, in a few words, for the error message. */
  readonly purpose: string;
  /** The way out the error message names. @default check npm's registry or install into the project */
  readonly remedy?: string;
}

// Another cdk-local (or another environment of this one) may be filling the same cache.
const LOCK_RETRIES = { retries: 600, minTimeout: 200, maxTimeout: 1000, factor: 1.2 };
const STALE_MS = 120_000;

/**
 * Installs packages with the user's own npm into a private package in cdk-local's cache.
 * npm checks each tarball against the registry's integrity hash (SHA-512) before unpacking
 * it. One install at a time per directory, across processes too. Throws a one-sentence
 * {@link CdkLocalError} when npm cannot run or fails (no network, unknown version).
 */
export async function npmInstall(options: NpmInstallOptions): Promise<void> {
  const { directory } = options;
  await mkdir(directory, { recursive: true });
  const manifest = join(directory, 'package.json');
  await readFile(manifest).catch(() => writeFile(manifest, JSON.stringify({ name: 'cdk-local-runtime-cache', private: true }, null, 2)));
  const release = await lockfile.lock(directory, { retries: LOCK_RETRIES, stale: STALE_MS, realpath: false });
  try {
    const packages = await options.missing();
    if (packages.length === 0) return;
    const result = await execa('npm', ['install', '--save-exact', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev', '--loglevel=error', ...packages], {
      cwd: directory,
      reject: false,
      stdin: 'ignore',
      env: { npm_config_update_notifier: 'false' },
      timeout: 15 * 60_000,
    });
    if (result.failed) {
      // npm's first lines are its code (`ETARGET`); the next one says what went wrong.
      const lines = (result.stderr || (result.shortMessage ?? '')).split('\n').map((line) => line.replace(/^npm (?:error|ERR!) /, '').trim());
      const detail = lines.find((line) => line !== '' && !/^(?:code|errno|syscall) |^A complete log/.test(line)) ?? lines.find((line) => line !== '') ?? 'it failed';
      throw new CdkLocalError(
        ErrorCodes.RUNTIME_NOT_FOUND,
        `Could not install ${options.purpose} (${packages.join(' ')}) into ${directory} with npm (${detail.trim().replace(/\.$/, '')}): ${options.remedy ?? 'check that npm can reach its registry, or install the packages into your project'}.`,
      );
    }
  } finally {
    await release();
  }
}
