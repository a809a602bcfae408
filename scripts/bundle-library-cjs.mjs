// Builds the CommonJS entry of the library, dist/cjs/index.cjs, with its types (.d.cts), for
// projects whose tests cannot load ESM: Jest's module system (a `cdk init app` project runs
// Jest with ts-jest in CommonJS) `require`s packages and cannot `require` ESM. The ESM
// library (dist/lib) stays what `import` gets.
import { build } from 'esbuild';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDirectory = join(root, 'dist', 'cjs');

await rm(outDirectory, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'lib', 'index.ts')],
  outfile: join(outDirectory, 'index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.19',
  // Not minified, so stack traces read without a map; a map would double the package's size.
  sourcemap: false,
  // The user's app brings these; a second copy would make its constructs foreign to ours. The
  // Lambda client, a dependency, stays a package of its own (loaded only to download a layer).
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '@aws-sdk/client-lambda'],
  // import('aws-cdk-lib') would stay a dynamic import, which Jest's module system refuses
  // without --experimental-vm-modules: make it a require(), loaded as lazily.
  supported: { 'dynamic-import': false },
  // import.meta.url finds the runtime clients from the package root (see runtimes/runtime-table.ts);
  // in CommonJS the bundle's own file does the same.
  define: { 'import.meta.url': '__cdkLocalImportMetaUrl' },
  banner: { js: "const __cdkLocalImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// Types: the declarations tsc wrote for dist/lib, as .d.cts files whose relative imports name
// .cjs, so TypeScript reads them as CommonJS for a `require` of the package.
async function* declarations(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* declarations(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}

const libDirectory = join(root, 'dist', 'lib');
for await (const file of declarations(libDirectory)) {
  const text = await readFile(file, 'utf8');
  const converted = text
    .replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1$2.cjs$3')
    .replace(/^\/\/# sourceMappingURL=.*$/m, '');
  const target = join(outDirectory, relative(libDirectory, file)).replace(/\.d\.ts$/, '.d.cts');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, converted);
}
