import { createWriteStream } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import type yauzl from 'yauzl';
import { CdkLocalError, ErrorCodes } from '../errors.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const UNIX = 3;

/**
 * Unpacks a zip into an existing, empty directory, keeping the Unix permissions stored
 * in the zip (a `bootstrap` must stay executable, as Lambda keeps it) and refusing
 * entries or symbolic links that would land outside the directory (zip slip).
 */
export async function extractZip(zipPath: string, destination: string): Promise<void> {
  const root = resolve(destination);
  const inside = (path: string): boolean => path === root || path.startsWith(root + sep);
  const links: { path: string; target: string }[] = [];
  let zip: yauzl.ZipFile | undefined;
  try {
    // Loaded here: only zip assets need it.
    const { default: zipReader } = await import('yauzl');
    zip = await zipReader.openPromise(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true });
    for await (const entry of zip.eachEntry()) {
      const path = resolve(root, entry.fileName);
      if (!inside(path)) throw new Error(`entry ${entry.fileName} would be written outside the directory`);
      const mode = entry.versionMadeBy >> 8 === UNIX ? entry.externalFileAttributes >>> 16 : 0;
      if (entry.fileName.endsWith('/') || (mode & S_IFMT) === S_IFDIR) {
        await mkdir(path, { recursive: true });
        continue;
      }
      await mkdir(dirname(path), { recursive: true });
      const stream = await zip.openReadStreamPromise(entry);
      if ((mode & S_IFMT) === S_IFLNK) {
        links.push({ path, target: await text(stream) });
        continue;
      }
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
      // Zips made on Windows carry no permissions: Lambda reads such files as 0644.
      const permissions = (mode & 0o777) === 0 ? 0o644 : mode & 0o777;
      await chmod(path, permissions | 0o400);
    }
    // Links come last, so that no entry is ever written through one.
    for (const link of links) {
      if (!inside(resolve(dirname(link.path), link.target))) {
        throw new Error(`symbolic link ${link.path.slice(root.length + 1)} points outside the directory`);
      }
      await symlink(link.target, link.path);
    }
  } catch (error) {
    throw new CdkLocalError(
      ErrorCodes.ASSEMBLY_INVALID,
      `The zip ${zipPath} could not be unpacked (${(error as Error).message}); rebuild it or synthesize the app again.`,
      { cause: error },
    );
  } finally {
    zip?.close();
  }
}
