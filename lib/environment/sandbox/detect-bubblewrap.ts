import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

const PROBE_TIMEOUT_MS = 10_000;
/** What the probe's `/tmp` is capped at: small, it only has to mount. */
const PROBE_TMP_BYTES = 1024 * 1024;

/** A bubblewrap that works on this machine, and what it can do. */
export interface Bubblewrap {
  /** The `bwrap` executable. */
  readonly path: string;
  /** Whether it takes `--size` before `--tmpfs` (bubblewrap 0.8 and later), so `/tmp` can be capped. */
  readonly sizeOption: boolean;
  /**
   * Whether `/usr/bin/env` takes `--ignore-signal` and `--default-signal` (coreutils 8.31 and
   * later), which lets a signal to the whole process group reach the runtime but not bubblewrap.
   */
  readonly signalOptions: boolean;
}

/** The answer of {@link detectBubblewrap}. */
export type BubblewrapDetection =
  | { readonly available: true; readonly bubblewrap: Bubblewrap }
  | {
      readonly available: false;
      readonly reason: 'not-linux' | 'not-found' | 'not-working';
      /** What went wrong, for `not-working`: bwrap's own first line. */
      readonly detail?: string;
    };

/** Options of {@link detectBubblewrap}, for tests. */
export interface DetectBubblewrapOptions {
  /** Where to look for `bwrap`. @default the PATH of this process */
  readonly searchPath?: string;
}

/** The first executable `name` in the directories of `searchPath`. */
export async function findExecutable(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Runs a trial sandbox like the real ones; undefined when it works, else what bwrap said. */
async function tryBubblewrap(path: string, extraArgs: readonly string[]): Promise<string | undefined> {
  const args = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    'probe',
    '--ro-bind',
    '/',
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...extraArgs,
    '--tmpfs',
    '/tmp',
    '--remount-ro',
    '/',
    '--',
    'true',
  ];
  const result = await execa(path, args, { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: 'ignore', all: true });
  if (result.exitCode === 0) return undefined;
  const said = String(result.all ?? '').trim().split('\n')[0];
  return said !== undefined && said !== '' ? said : `exit status ${result.exitCode ?? result.signal ?? 'unknown'}`;
}

async function supportsSignalOptions(): Promise<boolean> {
  const result = await execa('/usr/bin/env', ['--ignore-signal=TERM', '--default-signal=TERM', 'true'], { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: 'ignore' });
  return result.exitCode === 0;
}

async function detect(searchPath: string): Promise<BubblewrapDetection> {
  if (process.platform !== 'linux') return { available: false, reason: 'not-linux' };
  const path = await findExecutable('bwrap', searchPath);
  if (path === undefined) return { available: false, reason: 'not-found' };
  const sized = await tryBubblewrap(path, ['--size', String(PROBE_TMP_BYTES)]);
  if (sized === undefined) return { available: true, bubblewrap: { path, sizeOption: true, signalOptions: await supportsSignalOptions() } };
  const plain = await tryBubblewrap(path, []);
  if (plain === undefined) return { available: true, bubblewrap: { path, sizeOption: false, signalOptions: await supportsSignalOptions() } };
  return { available: false, reason: 'not-working', detail: plain };
}

let cached: Promise<BubblewrapDetection> | undefined;

/**
 * Finds `bwrap` and checks that it can make a sandbox here (user namespaces may be off, a
 * container may forbid mounts). The answer for this process's PATH is kept for its lifetime.
 */
export function detectBubblewrap(options: DetectBubblewrapOptions = {}): Promise<BubblewrapDetection> {
  if (options.searchPath !== undefined) return detect(options.searchPath);
  cached ??= detect(process.env.PATH ?? '');
  return cached;
}
