// Copies the files tsc does not emit (the Python runtime client) next to the compiled code,
// and makes the command executable: tsc does not, and `npx cdk-local` in this repository runs it as is.
import { chmod, cp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

for await (const file of walk(join(root, 'lib'))) {
  if (file.endsWith('.py')) {
    await cp(file, join(root, 'dist', relative(root, file)));
  }
}

await chmod(join(root, 'dist/bin/cdk-local.js'), 0o755).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
