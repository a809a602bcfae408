import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'cdk-local-lambda';

/**
 * cdk-local's own version, from its own package.json: the nearest one above this file that
 * is cdk-local's (the sources, the compiled library and the bundled command sit at different
 * depths below it). Never the package.json of the directory the user runs in.
 */
export function readOwnVersion(from: string = fileURLToPath(import.meta.url)): string {
  for (let directory = dirname(from); ; directory = dirname(directory)) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json here, or not one we can read: look further up.
    }
    if (dirname(directory) === directory) return 'unknown';
  }
}
