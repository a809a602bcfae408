import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Options of {@link isAssemblyFresh}. */
export interface AssemblyFreshnessOptions {
  /** Directories not to look into, besides node_modules, cdk.out, dist, .git and dot-directories. */
  readonly exclude?: readonly string[];
  /** How deep to look below the project directory. @default 8 */
  readonly maxDepth?: number;
  /** More files than this and the assembly counts as stale: it cannot be told quickly. @default 20000 */
  readonly maxFiles?: number;
}

const SKIPPED_NAMES = new Set(['node_modules', 'cdk.out', 'dist']);

/**
 * True when `<assemblyDirectory>/manifest.json` exists and is newer than every file of
 * the project (stat only; stops at the first newer file), so synthesizing again would
 * produce the same assembly.
 */
export async function isAssemblyFresh(
  assemblyDirectory: string,
  projectDirectory: string,
  options: AssemblyFreshnessOptions = {},
): Promise<boolean> {
  let manifestTime: number;
  try {
    manifestTime = (await stat(join(assemblyDirectory, 'manifest.json'))).mtimeMs;
  } catch {
    return false;
  }
  const excluded = new Set([resolve(assemblyDirectory), ...(options.exclude ?? []).map((path) => resolve(path))]);
  const maxDepth = options.maxDepth ?? 8;
  const maxFiles = options.maxFiles ?? 20_000;
  let files = 0;
  let level = [resolve(projectDirectory)];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    const stale = await Promise.all(
      level.map(async (directory) => {
        const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
        const times = await Promise.all(
          entries.map(async (entry) => {
            const path = join(directory, entry.name);
            if (entry.isDirectory()) {
              if (!entry.name.startsWith('.') && !SKIPPED_NAMES.has(entry.name) && !excluded.has(path)) next.push(path);
              return 0;
            }
            files++;
            return (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
          }),
        );
        return times.some((time) => time > manifestTime);
      }),
    );
    if (stale.includes(true) || files > maxFiles) return false;
    level = next;
  }
  return true;
}
