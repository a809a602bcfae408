import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Package names as they appear in require()/import specifiers, also inside bundles that
// leave the SDK external (esbuild writes `require("@aws-sdk/client-s3")`).
const SPECIFIER = /["'`](@aws-sdk\/[a-z0-9][a-z0-9._-]*|@smithy\/[a-z0-9][a-z0-9._-]*|@aws\/durable-execution-sdk-js)(?=["'`/])/g;
const SCRIPT = /\.(?:c|m)?js$/;
// Packages that name others without needing them at run time, and copies of the SDK itself.
const SKIPPED_DIRECTORIES = new Set(['@aws-sdk', '@smithy', 'typescript', 'aws-cdk-lib', '.git']);
const MAX_FILE_BYTES = 32 * 1024 * 1024;

const scans = new Map<string, Promise<ReadonlySet<string>>>();

async function scan(directory: string, found: Set<string>): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) await scan(path, found);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && SCRIPT.test(entry.name)) {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !info.isFile() || info.size > MAX_FILE_BYTES) continue;
      const text = await readFile(path, 'utf8');
      for (const match of text.matchAll(SPECIFIER)) found.add(match[1]!);
    }
  }
}

/**
 * The runtime-provided packages (`@aws-sdk/*`, `@smithy/*`, the durable execution SDK) that
 * the scripts under `directory` name. Which client a function loads is only known when it
 * runs; its code names it, though, in source and in bundles alike, so reading the scripts
 * once finds what to provide before the first init. Cached per directory (code is not
 * changed in place: a new build is a new asset directory).
 */
export function scanRuntimeImports(directory: string): Promise<ReadonlySet<string>> {
  let scanned = scans.get(directory);
  if (scanned === undefined) {
    const found = new Set<string>();
    scanned = scan(directory, found).then(() => found);
    scans.set(directory, scanned);
  }
  return scanned;
}
