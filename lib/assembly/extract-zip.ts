import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readlink, realpath, symlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import type yauzl from 'yauzl';
import { CdkLocalError, ErrorCodes } from '../errors.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const UNIX = 3;

/**
 * Lambda's limit on a function's code and layers, unzipped, together (250 MB).
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_UNZIPPED_CODE_BYTES = 262_144_000;

/** Thrown by {@link extractZip} when a zip unpacks to more than its budget. */
export class UnzippedTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`it unpacks to more than ${maxBytes} bytes`);
    this.name = 'UnzippedTooLargeError';
  }
}

/**
 * The bytes a zip says its entries unpack to, read from its central directory without
 * unpacking anything. Unpacking holds the zip to these sizes.
 */
export async function declaredUnzippedBytes(zipPath: string): Promise<number> {
  let zip: yauzl.ZipFile | undefined;
  try {
    const { default: zipReader } = await import('yauzl');
    zip = await zipReader.openPromise(zipPath, { lazyEntries: true, autoClose: false });
    let total = 0;
    for await (const entry of zip.eachEntry()) total += entry.uncompressedSize;
    return total;
  } catch (error) {
    // A missing zip is reported where it is unpacked, with the way out.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new CdkLocalError(ErrorCodes.ASSEMBLY_INVALID, `The zip ${zipPath} could not be read (${(error as Error).message}); rebuild it or synthesize the app again.`, {
      cause: error,
    });
  } finally {
    zip?.close();
  }
}

/**
 * Where `path` is on disk once every symbolic link on the way is followed, also when its
 * last parts do not exist (a link to a missing file).
 */
async function onDisk(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = dirname(path);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === path) throw error;
    return join(await onDisk(parent), basename(path));
  }
}

/**
 * Unpacks a zip into an existing, empty directory, keeping the Unix permissions stored
 * in the zip (a `bootstrap` must stay executable, as Lambda keeps it) and refusing
 * entries or symbolic links that would land outside the directory (zip slip), links
 * followed on disk, through other links. Stops with {@link UnzippedTooLargeError} as soon
 * as the bytes written pass `maxBytes`. Returns the bytes written.
 */
export async function extractZip(zipPath: string, destination: string, maxBytes = MAX_UNZIPPED_CODE_BYTES): Promise<number> {
  const root = await realpath(resolve(destination));
  const inside = (path: string): boolean => path === root || path.startsWith(root + sep);
  const links: { path: string; target: string }[] = [];
  let writtenBytes = 0;
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
      // The sizes the zip declares are checked too, so that a bomb is refused before it is unpacked.
      if (writtenBytes + entry.uncompressedSize > maxBytes) throw new UnzippedTooLargeError(maxBytes);
      const stream = await zip.openReadStreamPromise(entry);
      if ((mode & S_IFMT) === S_IFLNK) {
        links.push({ path, target: await text(stream) });
        continue;
      }
      stream.on('data', (chunk: Buffer) => {
        writtenBytes += chunk.length;
        if (writtenBytes > maxBytes) stream.destroy(new UnzippedTooLargeError(maxBytes));
      });
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
    // Text is not enough: `a -> b/..` stays inside on paper but leaves when `b` is itself a
    // link to `..`. Each link is followed on disk, through every other link.
    for (const link of links) {
      let target: string;
      try {
        const written = await readlink(link.path);
        // Joined as text, not resolved: `..` must be taken after the links before it.
        target = await onDisk(isAbsolute(written) ? written : `${await onDisk(dirname(link.path))}${sep}${written}`);
      } catch (error) {
        throw new Error(`symbolic link ${link.path.slice(root.length + 1)} cannot be followed (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (!inside(target)) throw new Error(`symbolic link ${link.path.slice(root.length + 1)} points outside the directory`);
    }
    return writtenBytes;
  } catch (error) {
    if (error instanceof UnzippedTooLargeError) throw error;
    throw new CdkLocalError(
      ErrorCodes.ASSEMBLY_INVALID,
      `The zip ${zipPath} could not be unpacked (${(error as Error).message}); rebuild it or synthesize the app again.`,
      { cause: error },
    );
  } finally {
    zip?.close();
  }
}
