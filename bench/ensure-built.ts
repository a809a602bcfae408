import { spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function newestChange(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestChange(join(path, entry)));
  return newest;
}

async function modifiedAt(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Runs `npm run build` when dist/ is missing or older than lib/ or bin/: the scenarios that
 * run the command line must measure the code in the tree. Build output goes to stderr.
 */
export async function ensureBuilt(root: string, progress: (message: string) => void): Promise<void> {
  const built = Math.min((await modifiedAt(join(root, 'dist', 'bin', 'cdk-local.js'))) ?? 0, (await modifiedAt(join(root, 'dist', 'lib', 'index.js'))) ?? 0);
  const sources = Math.max(await newestChange(join(root, 'lib')), await newestChange(join(root, 'bin')));
  if (built >= sources) return;
  progress('dist/ is older than lib/: npm run build');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal}); the benchmark needs a built dist/.`);
}
