import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const pending = new Map<string, Promise<string>>();

/**
 * Makes `directory` exist with the content `fill` writes, exactly once: `fill` writes
 * into a temporary sibling that is then renamed into place, so a directory that exists
 * is always complete, and concurrent callers (in this process or another) share one
 * result. Returns `directory`.
 */
export function materialiseDirectory(directory: string, fill: (temporary: string) => Promise<void>): Promise<string> {
  const running = pending.get(directory);
  if (running !== undefined) return running;
  const work = (async () => {
    if (await isDirectory(directory)) return directory;
    const parent = dirname(directory);
    await mkdir(parent, { recursive: true });
    const temporary = await mkdtemp(join(parent, `.tmp-${basename(directory)}-`));
    try {
      await fill(temporary);
      await rename(temporary, directory);
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      // Another process got there first: its copy is as good as ours.
      if (await isDirectory(directory)) return directory;
      throw error;
    }
    return directory;
  })().finally(() => pending.delete(directory));
  pending.set(directory, work);
  return work;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
