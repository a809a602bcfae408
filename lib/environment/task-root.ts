import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const FINGERPRINT_FILE = '.cdk-local-fingerprint';

async function readPackageType(directory: string): Promise<string | undefined | null> {
  try {
    const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as { type?: unknown };
    return typeof manifest.type === 'string' ? manifest.type : undefined;
  } catch (error) {
    // null: no package.json here; undefined: one without a usable "type".
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
}

/** True when Node would load the code's `.js` files as ES modules only because of a package.json above it. */
async function inheritsModuleType(codeDirectory: string): Promise<boolean> {
  if ((await readPackageType(codeDirectory)) !== null) return false;
  let directory = dirname(codeDirectory);
  for (;;) {
    const type = await readPackageType(directory);
    if (type !== null) return type === 'module';
    const parent = dirname(directory);
    if (parent === directory) return false;
    directory = parent;
  }
}

async function fingerprint(directory: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
      } else {
        const info = await stat(path);
        hash.update(`${relative(directory, path)}\0${info.size}\0${info.mtimeMs}\0${info.mode}\n`);
      }
    }
  };
  await walk(directory);
  return hash.digest('hex');
}

/**
 * Lambda's `/var/task` has no package.json above it. Node.js code that sits inside a project
 * whose package.json says `"type": "module"` (a cdk.out in such a project) would load as
 * ESM here and as CommonJS in Lambda, so it runs from a copy outside the project.
 * https://nodejs.org/api/packages.html#determining-module-system
 */
export async function isolateTaskRoot(codeDirectory: string, cacheDirectory: string): Promise<string> {
  if (!(await inheritsModuleType(codeDirectory))) return codeDirectory;
  const print = await fingerprint(codeDirectory);
  const target = join(cacheDirectory, `task-${createHash('sha256').update(codeDirectory).digest('hex').slice(0, 16)}`);
  try {
    if ((await readFile(join(target, FINGERPRINT_FILE), 'utf8')) === print) return target;
  } catch {
    // No copy yet, or an unfinished one.
  }
  await mkdir(cacheDirectory, { recursive: true });
  const staging = `${target}.${process.pid}.${Date.now()}`;
  await cp(codeDirectory, staging, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  await writeFile(join(staging, FINGERPRINT_FILE), print);
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  return target;
}
