import { createHash } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, readdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CodeLocation, LayerSpec } from './function-spec.js';
import { materialiseDirectory } from './materialise-directory.js';
import { prepareCode } from './prepare-code.js';

/** What {@link prepareLayers} made. */
export interface PreparedLayers {
  /** The directory to mount at `/opt`; undefined when the function has no layer with code. */
  readonly directory?: string;
  /** Layers that were left out (from outside the app), one sentence each, for the user. */
  readonly warnings: string[];
}

// Asset directories are named by the hash of their content, so their path identifies them.
const ASSET_DIRECTORY = /^asset\.[0-9a-f]{64}$/;
const MAX_FINGERPRINT_ENTRIES = 20_000;

/**
 * Prepares a function's layers as Lambda lays them out in `/opt`: unpacked in order, a
 * later layer overwriting the files of an earlier one, permissions kept. One layer is
 * used where it is; several are merged once into `<cacheDir>/layers-<sha256>/`. Layers
 * from outside the app (an ARN) cannot be fetched: they are skipped with a warning.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html
 */
export async function prepareLayers(layers: readonly LayerSpec[], cacheDir: string): Promise<PreparedLayers> {
  const warnings: string[] = [];
  const codes: CodeLocation[] = [];
  for (const layer of layers) {
    if (layer.code === undefined || layer.code.kind === 's3' || layer.code.kind === 'image') {
      warnings.push(`Layer ${layer.arn} is not part of the app, so cdk-local cannot fetch it; the function runs without its files in /opt.`);
    } else {
      codes.push(layer.code);
    }
  }
  const directories = await Promise.all(codes.map((code) => prepareCode(code, cacheDir)));
  const [first, ...others] = directories;
  if (first === undefined) return { warnings };
  if (others.length === 0) return { directory: first, warnings };
  const identities = await Promise.all(directories.map((directory) => identify(directory)));
  const key = createHash('sha256').update(identities.join('\n')).digest('hex');
  const directory = await materialiseDirectory(join(cacheDir, `layers-${key}`), async (temporary) => {
    for (const source of directories) await mergeLayer(source, temporary);
  });
  return { directory, warnings };
}

/**
 * Lays one layer's files over the layers before it, as Lambda unpacks them into `/opt`: a
 * file or link replaces whatever was at its path (a directory included), a directory
 * replaces a file or link and merges with a directory. A link of an earlier layer is
 * replaced, never written through.
 */
async function mergeLayer(source: string, destination: string): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(destination, entry.name);
    const existing = await lstat(to).catch(() => undefined);
    if (entry.isDirectory()) {
      if (existing !== undefined && !existing.isDirectory()) await rm(to, { force: true });
      if (existing?.isDirectory() !== true) await mkdir(to);
      // Kept writable by us, so that a later layer can still add to it.
      await chmod(to, ((await stat(from)).mode & 0o7777) | 0o700);
      await mergeLayer(from, to);
      continue;
    }
    if (existing !== undefined) await rm(to, { recursive: true, force: true });
    if (entry.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else {
      await copyFile(from, to);
      await chmod(to, (await stat(from)).mode & 0o7777);
    }
  }
}

/**
 * What identifies a prepared layer directory's content: the path of an asset or cache
 * directory (named by a hash of their content), else the names, sizes and times of its files.
 */
async function identify(directory: string): Promise<string> {
  const name = basename(directory);
  if (ASSET_DIRECTORY.test(name) || /^(inline-)?[0-9a-f]{64}$/.test(name)) return directory;
  const entries: string[] = [directory];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entries.length > MAX_FINGERPRINT_ENTRIES) return;
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else {
        const info = await stat(path).catch(() => undefined);
        entries.push(`${path}\0${info?.size ?? 0}\0${info?.mtimeMs ?? 0}`);
      }
    }
  };
  await walk(directory);
  return entries.join('\n');
}
